// A cross-process lock made of a directory: mkdir is atomic, so only one process at a time can
// build into the cache. A lock left behind by a process that died is taken over.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlPlaneLog } from './types.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holderPid(path: string): Promise<number | undefined> {
  const text = await readFile(join(path, 'pid'), 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function tryTake(path: string): Promise<boolean> {
  try {
    await mkdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  await writeFile(join(path, 'pid'), String(process.pid));
  return true;
}

/** Takes the lock at `path`, waiting while a live process holds it; resolves to its release. */
export async function acquireLock(
  path: string,
  log: ControlPlaneLog,
): Promise<() => Promise<void>> {
  let told = false;
  let emptySince = Date.now();
  for (;;) {
    if (await tryTake(path)) return () => rm(path, { recursive: true, force: true });
    const pid = await holderPid(path);
    // A lock without a pid is either being written right now or was abandoned mid-write.
    const stale = pid === undefined ? Date.now() - emptySince > 10_000 : !isAlive(pid);
    if (pid !== undefined) emptySince = Date.now();
    if (stale) {
      log.warn({ lock: path, pid }, 'taking over a lock left by a process that is gone');
      await rm(path, { recursive: true, force: true });
      continue;
    }
    if (!told) log.info({ lock: path, pid }, 'waiting for another build to finish');
    told = true;
    await sleep(2000);
  }
}
