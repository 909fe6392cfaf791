// `meshaccess dev`: everything a newcomer needs on one machine. It starts a local
// Kubernetes control plane, the Google Cloud emulator and the controller (allowing every
// namespace by default), installs the CRDs, applies examples/, writes DIR/kubeconfig and
// DIR/gcp-endpoint once all is up, and shows live status until stopped.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries, startControlPlane } from '../controlplane/index.ts';
import { loadConfig } from '../controller/config.ts';
import { startController } from '../controller/index.ts';
import { applyObjects, readManifests, waitEstablished } from '../dev/manifests.ts';
import { seedDemo } from '../dev/seed.ts';
import { watchStatus } from '../dev/status-view.ts';
import { startEmulator } from '../emulator/index.ts';
import { createLogger } from '../util/log.ts';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

/** Writes a file so that readers never see it half-written. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, path);
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Resolves with 0 on SIGTERM or SIGINT, or with 1 if the control plane dies first. */
function untilStopped(controlPlaneExited: Promise<unknown>): Promise<number> {
  return new Promise((done) => {
    let settled = false;
    const settle = (code: number) => {
      if (settled) return;
      settled = true;
      done(code);
    };
    process.once('SIGTERM', () => settle(0));
    process.once('SIGINT', () => settle(0));
    void controlPlaneExited.then(() => {
      if (settled) return;
      process.stderr.write('meshaccess dev: the local control plane stopped unexpectedly\n');
      settle(1);
    });
  });
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        dir: { type: 'string', default: '.meshaccess/dev' },
        'no-examples': { type: 'boolean', default: false },
        'control-plane-only': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`meshaccess dev: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    say('usage: meshaccess dev [--dir DIR] [--no-examples] [--control-plane-only]');
    return 0;
  }
  const dir = resolve(values.dir);
  await mkdir(dir, { recursive: true });
  const log = createLogger('info');
  say('meshaccess dev: preparing the local control plane (the first run builds it from source)');
  const binaries = await ensureBinaries({ log });
  const onlyControlPlane = values['control-plane-only'];
  const plane = await startControlPlane({
    dir: join(dir, 'control-plane'),
    log,
    binaries,
    // Alone, the control plane is "everything", so its kubeconfig is written once it is up.
    ...(onlyControlPlane ? { kubeconfigPath: join(dir, 'kubeconfig') } : {}),
  });
  const stops: (() => Promise<void>)[] = [() => plane.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    if (onlyControlPlane) {
      say(`control plane ready: KUBECONFIG=${join(dir, 'kubeconfig')}`);
      return await untilStopped(plane.exited);
    }
    const emulator = await startEmulator({ port: 0 });
    stops.push(() => emulator.stop());
    const kc = new KubeConfig();
    kc.loadFromFile(plane.kubeconfigPath);
    await applyObjects(kc, await readManifests(join(PROJECT_ROOT, 'crds')));
    await waitEstablished(kc, ['meshbackends.meshaccess.io', 'meshaccessgrants.meshaccess.io']);
    const controllerLog = createLogger(
      'info',
      (await import('pino')).pino.destination({ dest: join(dir, 'controller.log'), sync: false }),
    );
    const config = loadConfig(
      [
        `--kubeconfig=${plane.kubeconfigPath}`,
        '--cluster-name=dev',
        '--project=dev-project',
        `--gcp-endpoint=${emulator.url}`,
        '--default-tenancy=allow',
        '--metrics-addr=127.0.0.1:0',
        '--health-addr=127.0.0.1:0',
        '--settle-time=3s',
        '--resync=1m',
      ],
      {},
    );
    const controller = await startController(config, controllerLog);
    stops.push(controller.stop);
    if (!values['no-examples']) {
      await seedDemo(emulator.url, 'dev-project');
      await applyObjects(kc, await readManifests(join(PROJECT_ROOT, 'examples')));
    }
    await writeAtomically(join(dir, 'kubeconfig'), await readFile(plane.kubeconfigPath, 'utf8'));
    await writeAtomically(join(dir, 'gcp-endpoint'), `${emulator.url}\n`);
    say(`kubeconfig:   ${join(dir, 'kubeconfig')}`);
    say(`gcp endpoint: ${emulator.url}`);
    say(`controller log: ${join(dir, 'controller.log')}`);
    say('try: kubectl --kubeconfig ' + join(dir, 'kubeconfig') + ' get mb,mag -A');
    const stopView = watchStatus(kc, emulator.url, process.stdout);
    stops.push(async () => stopView());
    const code = await untilStopped(plane.exited);
    say('meshaccess dev: stopping');
    return code;
  } finally {
    await stopAll();
  }
}
