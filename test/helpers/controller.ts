// Runs the real controller (`meshaccess run`) as a child process, the way it runs in a
// cluster, so end-to-end tests can stop it, kill it mid-reconcile and start it again.

import { spawn, type ChildProcess } from 'node:child_process';
import { after } from 'node:test';
import { join } from 'node:path';
import { appendFileSync } from 'node:fs';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'meshaccess.js');

export interface ControllerProcess {
  /** Every log line so far, parsed. */
  logs(): Record<string, unknown>[];
  /** Stops it with SIGTERM and waits for the exit. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL at once, as a crash would. */
  kill(): Promise<void>;
  readonly child: ChildProcess;
}

export interface ControllerOptions {
  kubeconfig: string;
  gcpEndpoint: string;
  namespace: string;
  clusterName: string;
  extraArgs?: string[];
}

/** Starts `meshaccess run` scoped to one namespace; it is stopped after the test file. */
export function startControllerProcess(options: ControllerOptions): ControllerProcess {
  const args = [
    BIN,
    'run',
    `--kubeconfig=${options.kubeconfig}`,
    `--gcp-endpoint=${options.gcpEndpoint}`,
    `--namespace=${options.namespace}`,
    `--cluster-name=${options.clusterName}`,
    '--project=e2e-project',
    '--default-tenancy=allow',
    '--metrics-addr=',
    '--health-addr=',
    '--settle-time=300ms',
    '--resync=30s',
    '--log-level=debug',
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, METADATA_SERVER_DETECTION: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  const copyTo = process.env['MESHACCESS_TEST_CONTROLLER_LOG'];
  child.stderr?.on('data', (chunk: Buffer) => {
    if (copyTo !== undefined) appendFileSync(copyTo, chunk);
    buffer += chunk.toString();
    let newline;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  after(() => end('SIGKILL'));
  return {
    logs: () => lines,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    child,
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after the timeout. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
