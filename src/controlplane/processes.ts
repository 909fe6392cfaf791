// Long-running child processes that can be stopped without leaving anything behind. Each child
// leads its own process group, so a stop signal reaches anything it started too; output goes to
// a log file rather than through pipes that would need draining.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How a child process ended. */
export type Exit = { readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** A started child process. */
export type ManagedProcess = {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Whether the process has exited yet. */
  hasExited(): boolean;
  /** Sends SIGTERM to the group, then SIGKILL after `graceMs`; resolves once the group is gone. */
  stop(graceMs?: number): Promise<void>;
};

/** What to run. */
export type ProcessSpec = {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly cwd: string;
};

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

// Processes still running when this Node process exits are killed, so a crashed test run or
// an uncaught error does not leave servers behind holding ports.
const live = new Set<number>();
let exitHookInstalled = false;

function track(pid: number): void {
  if (!exitHookInstalled) {
    process.on('exit', () => {
      for (const group of live) signalGroup(group, 'SIGKILL');
    });
    exitHookInstalled = true;
  }
  live.add(pid);
}

async function waitForGroupGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (signalGroup(pid, 0)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Starts `spec.command` in a new process group with its output appended to `spec.logFile`. */
export function startProcess(spec: ProcessSpec): ManagedProcess {
  const fd = openSync(spec.logFile, 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let done = false;
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', (error) => {
      done = true;
      reject(new Error(`cannot start ${spec.name} (${spec.command})`, { cause: error }));
    });
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  // A failed spawn is reported through `exited`; keep it from also counting as unhandled.
  exited.catch(() => undefined);
  const pid = child.pid ?? -1;
  if (pid > 0) track(pid);
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (pid <= 0) return;
    signalGroup(pid, 'SIGTERM');
    const graceful = await Promise.race([
      exited.then(
        () => true,
        () => true,
      ),
      sleep(graceMs, false),
    ]);
    if (!graceful || !(await waitForGroupGone(pid, 1000))) signalGroup(pid, 'SIGKILL');
    await exited.catch(() => undefined);
    await waitForGroupGone(pid, 5000);
    live.delete(pid);
  };
  return { name: spec.name, pid, logFile: spec.logFile, exited, hasExited: () => done, stop };
}

/** The last lines of a log file, for error messages. */
export async function logTail(path: string, lines = 20): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
