// RE2 program sizes, measured with the C++ RE2 library.
//
// Envoy compiles every safe_regex with RE2 (default options) and refuses one
// whose program size exceeds 100 instructions; a refused regex drops the whole
// configuration it arrived in. Ports of RE2 to other languages count
// instructions differently, so the only trustworthy number comes from the C++
// library itself. A tiny helper program (tools/re2size/re2size.cc) does the
// measuring; this module compiles it once per source version into a cache
// directory outside the work tree, keeps one child process running and feeds it
// queries in batches, matching each reply to its query by order.
//
// The child is unreferenced whenever no query is waiting, so an idle helper
// never keeps a Node process alive.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The largest RE2 program size Envoy accepts by default for a safe_regex. */
export const ENVOY_MAX_PROGRAM_SIZE = 100;

/** The measurement of one pattern: its program size, or RE2's compile error. */
export type Re2SizeResult = { ok: true; size: number } | { ok: false; error: string };

/** Raised when the helper cannot be built or started (g++ or libre2 missing). */
export class Re2UnavailableError extends Error {
  override name = 'Re2UnavailableError';
}

const SOURCE = fileURLToPath(new URL('../../tools/re2size/re2size.cc', import.meta.url));
const COMPILER = 'g++';
const COMPILE_FLAGS = ['-O2', '-std=c++17'];
const LINK_FLAGS = ['-lre2'];
const INSTALL_HINT =
  'install the C++ compiler and RE2 headers (Debian: apt-get install g++ libre2-dev)';

type Waiter = { resolve: (r: Re2SizeResult) => void; reject: (e: Error) => void };

/** Where compiled helpers are cached: XDG_CACHE_HOME, else ~/.cache. */
function cacheRoot(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  const base = xdg !== undefined && xdg !== '' ? xdg : path.join(homedir(), '.cache');
  return path.join(base, 'meshaccess');
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to completion and collects its stderr. */
function runCommand(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

function explainBuildFailure(stderr: string): string {
  if (/re2\/re2\.h|-lre2|cannot find -lre2/.test(stderr)) {
    return `the RE2 library or its headers are missing; ${INSTALL_HINT}`;
  }
  return `building the RE2 size helper failed: ${stderr.trim().slice(0, 2000)}`;
}

/** Compiles the helper unless a binary for this exact source is cached. */
async function buildHelper(): Promise<string> {
  let source: string;
  try {
    source = await readFile(SOURCE, 'utf8');
  } catch (err) {
    throw new Re2UnavailableError(`cannot read the RE2 size helper source: ${String(err)}`);
  }
  const recipe = [source, COMPILER, ...COMPILE_FLAGS, ...LINK_FLAGS].join('\0');
  const hash = createHash('sha256').update(recipe).digest('hex').slice(0, 16);
  const dir = cacheRoot();
  const binary = path.join(dir, `re2size-${hash}`);
  if (await exists(binary)) return binary;
  await mkdir(dir, { recursive: true });
  // Build under a private name, then rename: concurrent test processes may race here.
  const temp = `${binary}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  let result: { code: number; stderr: string };
  try {
    result = await runCommand(COMPILER, [...COMPILE_FLAGS, SOURCE, '-o', temp, ...LINK_FLAGS]);
  } catch {
    throw new Re2UnavailableError(`the C++ compiler ${COMPILER} is not installed; ${INSTALL_HINT}`);
  }
  if (result.code !== 0) {
    await rm(temp, { force: true });
    throw new Re2UnavailableError(explainBuildFailure(result.stderr));
  }
  await rename(temp, binary);
  return binary;
}

function setReferenced(target: object | null, referenced: boolean): void {
  if (target === null) return;
  const method = referenced ? 'ref' : 'unref';
  if (method in target) {
    const fn: unknown = Reflect.get(target, method);
    if (typeof fn === 'function') fn.call(target);
  }
}

function parseReply(line: string): Re2SizeResult {
  const value: unknown = JSON.parse(line);
  if (typeof value === 'object' && value !== null && 'ok' in value) {
    if (value.ok === true && 'size' in value && typeof value.size === 'number') {
      return { ok: true, size: value.size };
    }
    if (value.ok === false && 'error' in value && typeof value.error === 'string') {
      return { ok: false, error: value.error };
    }
  }
  throw new Error(`unexpected reply from the RE2 size helper: ${line}`);
}

/** One running helper process and the queries it still owes answers to. */
class HelperProcess {
  readonly #child: ChildProcess;
  readonly #waiting: Waiter[] = [];
  #outgoing: string[] = [];
  #flushScheduled = false;
  #failure: Error | null = null;
  readonly exited: Promise<void>;

  constructor(binary: string) {
    this.#child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.exited = new Promise((resolve) => this.#child.on('close', () => resolve()));
    this.#child.on('error', (err) => this.#fail(new Re2UnavailableError(String(err))));
    this.#child.on('exit', () => this.#fail(new Error('the RE2 size helper exited')));
    this.#child.stdin?.on('error', (err) => this.#fail(err));
    const stdout = this.#child.stdout;
    if (stdout === null) throw new Error('the RE2 size helper has no stdout');
    createInterface({ input: stdout }).on('line', (line) => this.#answer(line));
    this.#setReferenced(false);
  }

  get failed(): boolean {
    return this.#failure !== null;
  }

  query(pattern: string): Promise<Re2SizeResult> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#outgoing.push(JSON.stringify(pattern));
      if (this.#waiting.length === 1) this.#setReferenced(true);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        queueMicrotask(() => this.#flush());
      }
    });
  }

  close(): void {
    this.#child.stdin?.end();
  }

  #flush(): void {
    this.#flushScheduled = false;
    const batch = this.#outgoing;
    this.#outgoing = [];
    if (batch.length > 0 && this.#failure === null)
      this.#child.stdin?.write(`${batch.join('\n')}\n`);
  }

  #answer(line: string): void {
    const waiter = this.#waiting.shift();
    if (waiter === undefined) return;
    if (this.#waiting.length === 0) this.#setReferenced(false);
    try {
      waiter.resolve(parseReply(line));
    } catch (err) {
      waiter.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #fail(err: Error): void {
    if (this.#failure === null) this.#failure = err;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(err);
    this.#setReferenced(false);
  }

  #setReferenced(referenced: boolean): void {
    setReferenced(this.#child, referenced);
    setReferenced(this.#child.stdout, referenced);
    setReferenced(this.#child.stdin, referenced);
  }
}

let binaryPromise: Promise<string> | null = null;
let helper: HelperProcess | null = null;

async function currentHelper(): Promise<HelperProcess> {
  binaryPromise ??= buildHelper();
  let binary: string;
  try {
    binary = await binaryPromise;
  } catch (err) {
    binaryPromise = null; // let a later call retry once the toolchain is installed
    throw err;
  }
  if (helper === null || helper.failed) helper = new HelperProcess(binary);
  return helper;
}

/**
 * Measures one regex as Envoy would: RE2 with default options. Resolves to the
 * program size, or to RE2's error when the pattern does not compile. Rejects
 * with Re2UnavailableError when the helper cannot be built.
 */
export async function re2ProgramSize(pattern: string): Promise<Re2SizeResult> {
  const running = await currentHelper();
  return running.query(pattern);
}

/** Measures many regexes in one batch; results are in input order. */
export async function re2ProgramSizes(patterns: readonly string[]): Promise<Re2SizeResult[]> {
  const running = await currentHelper();
  return Promise.all(patterns.map((p) => running.query(p)));
}

/** Tells whether the helper can be built and run on this machine. */
export async function re2Available(): Promise<boolean> {
  try {
    const result = await re2ProgramSize('a');
    return result.ok;
  } catch {
    return false;
  }
}

/** Stops the helper process, if one runs; the next query starts a new one. */
export async function closeRe2Helper(): Promise<void> {
  const running = helper;
  helper = null;
  if (running === null) return;
  running.close();
  await running.exited;
}
