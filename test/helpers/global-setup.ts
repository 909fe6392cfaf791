// Starts one local control plane for a whole `node --test` run and hands its kubeconfig to the
// test files through the environment: the runner spawns each test file after global setup has
// run, with a copy of this process's environment.
//
// The control plane starts whenever this file is the run's global setup (`npm test`); unit-only
// runs (`npm run test:unit`) do not load it and need nothing built. To test against an existing
// cluster instead, set MESHACCESS_TEST_KUBECONFIG before the run and nothing is started.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  ensureBinaries,
  startControlPlane,
  type ControlPlane,
} from '../../src/controlplane/index.ts';
import { kubeconfigVariable, kubectlVariable } from './cluster.ts';

let plane: ControlPlane | undefined;
let workDir: string | undefined;

async function binariesAnnouncingBuild() {
  const ready = await ensureBinaries({ build: false }).catch(() => undefined);
  if (ready !== undefined) return ready;
  process.stderr.write('building the local control plane once (10 to 30 minutes)...\n');
  return ensureBinaries({ log: pino({ level: 'info' }, pino.destination(2)) });
}

/** Starts the shared control plane unless the environment already names a cluster. */
export async function globalSetup(): Promise<void> {
  if (process.env[kubeconfigVariable] !== undefined) return;
  const binaries = await binariesAnnouncingBuild();
  workDir = await mkdtemp(join(tmpdir(), 'meshaccess-test-control-plane-'));
  const log = pino({ level: 'debug' }, pino.destination(join(workDir, 'setup.log')));
  plane = await startControlPlane({ dir: workDir, log, binaries }).catch((error: unknown) => {
    // The folder stays behind on failure: its logs say why a component did not come up.
    throw new Error(`the test control plane did not start; logs are in ${workDir}`, {
      cause: error,
    });
  });
  process.env[kubeconfigVariable] = plane.kubeconfigPath;
  process.env[kubectlVariable] = binaries.kubectl;
}

/** Stops the shared control plane and removes its folder. */
export async function globalTeardown(): Promise<void> {
  await plane?.stop();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
}
