// `meshaccess emulator`: serves the Google Cloud emulator on loopback until
// SIGTERM or SIGINT, printing its root URL on stdout as the only line.

import { parseArgs } from 'node:util';
import { startEmulator } from '../emulator/index.ts';
import { createLogger, type LogLevel } from '../util/log.ts';

const USAGE = `usage: meshaccess emulator [--port N] [--host 127.0.0.1|::1|localhost]
                          [--operation-delay-ms MS] [--log-level LEVEL]
`;

/** Runs the emulator until a stop signal; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        'operation-delay-ms': { type: 'string', default: '500' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`meshaccess emulator: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = Number(values.port);
  const delay = Number(values['operation-delay-ms']);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !(delay >= 0)) {
    process.stderr.write(`meshaccess emulator: --port and --operation-delay-ms need numbers\n${USAGE}`);
    return 2;
  }
  const log = createLogger(values['log-level'] as LogLevel);
  let emulator;
  try {
    emulator = await startEmulator({ port, host: values.host, operationDelayMs: delay, log });
  } catch (error) {
    process.stderr.write(`meshaccess emulator: ${(error as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`${emulator.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await emulator.stop();
  return 0;
}
