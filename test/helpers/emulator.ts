// Starts a Google Cloud emulator for one test and stops it when the test ends.

import type { TestContext } from 'node:test';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts';
import { createGcpClients, type GcpClients } from '../../src/gcp/clients.ts';

// Google's auth library must never probe the cloud metadata address in tests.
process.env['METADATA_SERVER_DETECTION'] = 'none';

/** Starts an emulator on a free loopback port; it stops when `t` finishes. */
export async function useEmulator(
  t: TestContext,
  options: EmulatorOptions = {},
): Promise<Emulator> {
  const emulator = await startEmulator({ operationDelayMs: 0, ...options });
  t.after(() => emulator.stop());
  return emulator;
}

/** The official clients aimed at `emulator`; closed when `t` finishes. */
export function useClients(t: TestContext, emulator: Emulator): GcpClients {
  const clients = createGcpClients({ endpoint: emulator.url });
  t.after(() => clients.close());
  return clients;
}

/** Calls the emulator (Google or admin paths) with fetch and parses the JSON reply. */
export async function call(
  emulator: Emulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
    headers: res.headers,
  };
}
