// A keyed work queue in the manner of client-go's: the queue holds keys, never events.
// A key waiting in the queue is held once however often it is added; a key being
// processed is never handed to a second worker, and an add that arrives meanwhile is
// kept and served after the current run. Failures back off per key, exponentially with
// jitter up to a cap, and the count resets when the key succeeds.

export interface QueueOptions {
  /** Keys processed at the same time. */
  concurrency: number;
  /** Delay after the first failure of a key. */
  baseDelayMs: number;
  /** Longest delay between retries of one key. */
  maxDelayMs: number;
  /** Called whenever the number of waiting keys changes. */
  onDepth?: (depth: number) => void;
  /** Called when a key starts, with how long it waited since it became ready. */
  onStart?: (key: string, waitedMs: number) => void;
  random?: () => number;
}

/** What a handler asks for after a successful run. */
export interface HandlerResult {
  requeueAfterMs?: number | undefined;
}

export type Handler = (key: string) => Promise<HandlerResult | void>;

/** Outcome passed to the failure hook so the caller decides how to log it. */
export type FailureHook = (key: string, error: unknown, retryInMs: number) => void;

export class WorkQueue {
  private readonly options: QueueOptions;
  private readonly ready: string[] = [];
  private readonly readySince = new Map<string, number>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private handler: Handler | undefined;
  private onFailure: FailureHook | undefined;
  private running = 0;
  private stopped = true;
  private idleWaiters: (() => void)[] = [];

  constructor(options: QueueOptions) {
    this.options = options;
  }

  /** Starts serving keys with the handler; failures go to the hook, then back off. */
  start(handler: Handler, onFailure?: FailureHook): void {
    this.handler = handler;
    this.onFailure = onFailure;
    this.stopped = false;
    this.pump();
  }

  /** Stops taking keys and resolves when the runs in flight have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (this.running === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Makes the key ready now. */
  add(key: string): void {
    if (this.stopped && this.handler !== undefined) return;
    const pending = this.timers.get(key);
    if (pending !== undefined) {
      clearTimeout(pending.timer);
      this.timers.delete(key);
    }
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.readySince.has(key)) return;
    this.ready.push(key);
    this.readySince.set(key, Date.now());
    this.options.onDepth?.(this.ready.length);
    this.pump();
  }

  /** Makes the key ready after a delay; an earlier pending time wins. */
  addAfter(key: string, delayMs: number): void {
    if (delayMs <= 0) return this.add(key);
    if (this.stopped && this.handler !== undefined) return;
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending !== undefined && pending.at <= at) return;
    if (pending !== undefined) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { at, timer });
  }

  /** The delay the next failure of this key would wait. */
  backoffFor(key: string): number {
    const count = this.failures.get(key) ?? 0;
    const exp = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** count);
    const jitter = 0.8 + 0.4 * (this.options.random ?? Math.random)();
    return Math.round(Math.min(this.options.maxDelayMs, exp * jitter));
  }

  /** Number of keys waiting to run. */
  get depth(): number {
    return this.ready.length;
  }

  /** Resolves once no key is waiting or running (delayed keys do not count). */
  async idle(): Promise<void> {
    if (this.running === 0 && this.ready.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    const handler = this.handler;
    if (handler === undefined || this.stopped) return;
    while (this.running < this.options.concurrency && this.ready.length > 0) {
      const key = this.ready.shift();
      if (key === undefined) break;
      const since = this.readySince.get(key) ?? Date.now();
      this.readySince.delete(key);
      this.options.onDepth?.(this.ready.length);
      this.active.add(key);
      this.running += 1;
      this.options.onStart?.(key, Date.now() - since);
      void this.runOne(handler, key);
    }
  }

  private async runOne(handler: Handler, key: string): Promise<void> {
    try {
      const result = await handler(key);
      this.failures.delete(key);
      this.finish(key);
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      const delay = this.backoffFor(key);
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
      this.onFailure?.(key, error, delay);
      this.finish(key);
      this.addAfter(key, delay);
    }
  }

  private finish(key: string): void {
    this.active.delete(key);
    this.running -= 1;
    if (this.dirty.delete(key)) this.add(key);
    this.pump();
    if (this.running === 0 && this.ready.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
