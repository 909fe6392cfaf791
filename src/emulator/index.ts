// The Google Cloud emulator's public surface.

export { startEmulator, type Emulator, type EmulatorLog, type EmulatorOptions } from './server.ts';
export { ManualClock, systemClock, type Clock } from './clock.ts';
export { DEFAULT_BEHAVIOUR, type Behaviour } from './context.ts';
export { REQUEST_COUNT_METRIC } from './traffic.ts';
export type { CallerDecl, EndpointDecl, Outcome } from './traffic-model.ts';
export type { WriteRecord } from './state.ts';
