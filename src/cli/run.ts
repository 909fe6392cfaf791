// `meshaccess run`: the controller process.

import { ConfigError, FLAGS, loadConfig } from '../controller/config.ts';
import { startController } from '../controller/index.ts';
import { createLogger } from '../util/log.ts';

function usage(): string {
  const lines = Object.entries(FLAGS).map(
    ([name, spec]) =>
      `  --${name.padEnd(20)} ${spec.help}${spec.default === undefined ? '' : ` (default ${spec.default})`} [$${spec.env}]`,
  );
  return `usage: meshaccess run [flags]\n\nflags:\n${lines.join('\n')}\n`;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage());
    return 0;
  }
  let config;
  try {
    config = loadConfig(argv, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`meshaccess run: ${error.message}\n\n${usage()}`);
      return 2;
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  let stop: () => Promise<void>;
  try {
    ({ stop } = await startController(config, log));
  } catch (error) {
    // Startup fails on what the operator gave us (an unreadable kubeconfig, a port in use):
    // say so in one line rather than with a stack trace.
    process.stderr.write(`meshaccess run: cannot start: ${(error as Error).message}\n`);
    return 2;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await stop();
  return 0;
}
