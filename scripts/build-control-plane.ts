// Builds (or finds in the cache) the local control plane's executables and says where they are
// and how long the build took. Run by `npm run control-plane:build` and by CI before the tests.
import { pino } from 'pino';
import { ensureBinaries } from '../src/controlplane/index.ts';

const log = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
const started = Date.now();
try {
  const binaries = await ensureBinaries({ log });
  const seconds = Math.round((Date.now() - started) / 1000);
  const how = binaries.buildSeconds === undefined ? 'reused from the cache' : 'built';
  process.stdout.write(
    `control plane ${binaries.kubernetesVersion} with etcd ${binaries.etcdVersion} ${how} ` +
      `in ${seconds} s: ${binaries.dir}\n`,
  );
} catch (error) {
  process.stderr.write(`control plane build failed: ${String(error)}\n`);
  if (error instanceof Error && error.cause !== undefined) {
    process.stderr.write(`  caused by: ${String(error.cause)}\n`);
  }
  process.exitCode = 1;
}
