// Polls the control plane's health endpoints until they answer, failing fast when one of the
// processes has died instead of waiting out the whole timeout.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { logTail, type ManagedProcess } from './processes.ts';

/** Client credentials for the API server: PEM text of the CA, client certificate and key. */
export type ClientTls = { readonly ca: string; readonly cert: string; readonly key: string };

/** Status and body of one GET. */
export type Answer = { status: number; body: string };

/** GETs `url` (http or https); with `tls` the request presents the client certificate. */
export function get(url: string, tls?: ClientTls): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options: RequestOptions = { method: 'GET', timeout: 5000, agent: false, ...tls };
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Thrown when a process exits while the control plane is starting. */
export class ProcessExitedError extends Error {
  readonly process: string;
  readonly logTail: string;
  constructor(process: string, tail: string) {
    super(`${process} exited while the control plane was starting:\n${tail}`);
    this.name = 'ProcessExitedError';
    this.process = process;
    this.logTail = tail;
  }
}

/** What to wait for. */
export type WaitSpec = {
  readonly what: string;
  readonly url: string;
  readonly tls?: ClientTls;
  readonly accept: (answer: Answer) => boolean;
  readonly watch: readonly ManagedProcess[];
  readonly timeoutMs: number;
};

/** Resolves once `spec.url` answers acceptably; rejects on timeout or if a watched process dies. */
export async function waitUntil(spec: WaitSpec): Promise<void> {
  const deadline = Date.now() + spec.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const dead = spec.watch.find((p) => p.hasExited());
    if (dead !== undefined) throw new ProcessExitedError(dead.name, await logTail(dead.logFile));
    const answer = await get(spec.url, spec.tls).catch((error: unknown) =>
      error instanceof Error ? error : new Error(String(error)),
    );
    if (answer instanceof Error) last = answer.message;
    else if (spec.accept(answer)) return;
    else last = `HTTP ${answer.status}`;
    if (Date.now() > deadline) {
      throw new Error(`${spec.what} not ready after ${spec.timeoutMs} ms (last: ${last})`);
    }
    await sleep(200);
  }
}
