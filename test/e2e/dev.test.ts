// The quick start as a newcomer meets it: `meshaccess dev` brings up a control plane, the
// emulator and the controller, applies the examples, writes its two files, shows the
// rollout reaching Strict, and on SIGTERM leaves nothing running.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/controller.ts';
import { kubectlVariable } from '../helpers/cluster.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'meshaccess.js');

function kubectlWith(kubeconfig: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env[kubectlVariable] ?? 'kubectl', [
      '--kubeconfig',
      kubeconfig,
      ...args,
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('meshaccess dev', { timeout: 240_000 }, () => {
  it('runs the examples to Strict and stops everything on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshaccess-dev-'));
    const child = spawn(process.execPath, [BIN, 'dev', '--dir', dir], {
      env: { ...process.env, METADATA_SERVER_DETECTION: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    // On failure, stop it the way a user would, so it can stop its own control plane;
    // SIGKILL only if that hangs (it would orphan the control plane's processes).
    after(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    });
    after(() => rm(dir, { recursive: true, force: true }));
    const endpoint = await eventually(
      'gcp-endpoint',
      async () =>
        (await readFile(join(dir, 'gcp-endpoint'), 'utf8').catch(() => '')).trim() || undefined,
      120_000,
      500,
    );
    const kubeconfig = join(dir, 'kubeconfig');
    const server = /server: (https:\/\/127\.0\.0\.1:(\d+))/.exec(
      await readFile(kubeconfig, 'utf8'),
    );
    assert.ok(server, 'the kubeconfig names a loopback API server');
    await kubectlWith(kubeconfig, [
      'wait',
      '--for=condition=Ready',
      '--timeout=150s',
      '-n',
      'shop',
      'mb/orders',
      'mb/payments',
    ]);
    await kubectlWith(kubeconfig, [
      'wait',
      '--for=condition=Ready',
      '--timeout=30s',
      '-n',
      'shop',
      'mag',
      '--all',
    ]);
    const table = await kubectlWith(kubeconfig, ['get', 'mb', '-n', 'shop']);
    assert.match(table, /orders\s+Strict\s+True\s+Ready\s+orders-backend/);
    // The live view polls every two seconds, so it may show Strict a moment after kubectl.
    await eventually(
      'the live view to show Strict',
      async () => (/orders\s+Strict\s+True/.test(output) ? true : undefined),
      10_000,
    );
    const writes = (await (await fetch(`${endpoint}/_emulator/writes`)).json()) as {
      writes: unknown[];
    };
    assert.ok(writes.writes.length > 0);

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(await listening(Number(server[2])), false, 'the API server is gone');
    assert.equal(await listening(Number(new URL(endpoint).port)), false, 'the emulator is gone');
  });
});
