// The emulator's HTTP server: one root URL, Google's own paths, plus the
// admin API under /_emulator/. A request is routed by its path prefix to the
// API family that owns it; faults are applied before routing (never to the
// admin API); errors are rendered in the shape of the family that was called.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.ts';
import { systemClock, type Clock } from './clock.ts';
import { handleCompute } from './compute-api.ts';
import { DEFAULT_BEHAVIOUR, type Behaviour, type Reply, type RequestContext } from './context.ts';
import { ApiError, notFound, renderError, statusError, type ApiFamily } from './errors.ts';
import { FaultTable } from './faults.ts';
import { GOOGLE_HEADERS, pathSegments, readBody, sendJson } from './http.ts';
import { handleMesh } from './mesh-api.ts';
import { handlePromQuery } from './promql-api.ts';
import { defaultRegexSizer, type RegexSizer } from './regex-check.ts';
import { EmulatorState } from './state.ts';
import { TrafficSimulator } from './traffic.ts';

/** The logging the emulator does: pino-compatible, object first. */
export interface EmulatorLog {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** How to start an emulator; every field is optional. */
export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Loopback address to listen on (default 127.0.0.1); other addresses are refused. */
  host?: string;
  /** Time source for operations and traffic counters (default: wall clock). */
  clock?: Clock;
  /** Operations are done once this much clock time has passed (default 100 ms). */
  operationDelayMs?: number;
  /** Operations are done on this poll at the latest (default: by time only). */
  operationPolls?: number;
  log?: EmulatorLog;
  /** Switches for behaviour Google leaves undocumented; see Behaviour. */
  behaviour?: Partial<Behaviour>;
  /** How header regexes are measured (default: C++ RE2, syntax-only fallback). */
  regexSizer?: RegexSizer;
}

/** A running emulator. */
export interface Emulator {
  /** Root URL, e.g. http://127.0.0.1:38211 (no trailing slash). */
  url: string;
  state: EmulatorState;
  traffic: TrafficSimulator;
  faults: FaultTable;
  /** Stops listening, ends blocked calls and closes every connection. */
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const silent: EmulatorLog = { debug: () => {}, warn: () => {} };

/** Starts an emulator on loopback and resolves once it accepts connections. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`the emulator listens on loopback only, not ${host}`);
  const log = options.log ?? silent;
  const state = new EmulatorState(options.clock ?? systemClock);
  const traffic = new TrafficSimulator(state);
  const faults = new FaultTable();
  const stopping = new AbortController();
  const base = {
    state,
    behaviour: { ...DEFAULT_BEHAVIOUR, ...options.behaviour },
    timing: { delayMs: options.operationDelayMs ?? 100, pollsUntilDone: options.operationPolls },
    sizer:
      options.regexSizer ??
      defaultRegexSizer((error) =>
        log.warn({ err: error }, 'c++ re2 unavailable, checking regex syntax only'),
      ),
    signal: stopping.signal,
  };
  const server = createServer((req, res) => {
    serve({ base, traffic, faults, log }, req, res).catch((error: unknown) => {
      log.warn({ err: error }, 'request failed');
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 500, message: 'emulator failure' } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    state,
    traffic,
    faults,
    stop: async () => {
      stopping.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

type Served = {
  base: Omit<RequestContext, 'fate'>;
  traffic: TrafficSimulator;
  faults: FaultTable;
  log: EmulatorLog;
};

async function serve(s: Served, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = req.method ?? 'GET';
  const family = familyOf(url.pathname);
  const body = await readBody(req);
  try {
    if (family === 'admin') {
      const segments = pathSegments(url.pathname).slice(1);
      const reply = handleAdmin(
        { state: s.base.state, traffic: s.traffic, faults: s.faults },
        method,
        segments,
        body,
      );
      return send(res, family, reply ?? routeNotFound(method, url.pathname));
    }
    const decision = s.faults.decide(method, url.pathname);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs, s.base.signal);
    if (decision.drop) {
      req.socket.destroy();
      return;
    }
    if (decision.status !== undefined) {
      throw statusError(decision.status.status, decision.status.retryAfterSeconds);
    }
    const ctx: RequestContext = { ...s.base, fate: decision.fate };
    const reply = await route(
      ctx,
      s.traffic,
      family,
      method,
      url,
      body,
      req.headers['content-type'] ?? '',
    );
    s.log.debug({ method, path: url.pathname, status: reply?.status ?? 404 }, 'served');
    send(res, family, reply ?? routeNotFound(method, url.pathname));
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const rendered = renderError(family, error);
    s.log.debug({ method, path: url.pathname, status: rendered.status }, 'refused');
    sendJson(res, rendered.status, rendered.body, { ...headersFor(family), ...error.headers });
  }
}

function familyOf(pathname: string): ApiFamily {
  if (pathname.startsWith('/_emulator/')) return 'admin';
  if (pathname.startsWith('/compute/')) return 'compute';
  if (/^\/v1\/projects\/[^/]+\/location\/[^/]+\/prometheus\//.test(pathname)) return 'prometheus';
  return 'google';
}

async function route(
  ctx: RequestContext,
  traffic: TrafficSimulator,
  family: ApiFamily,
  method: string,
  url: URL,
  body: string,
  contentType: string,
): Promise<Reply | undefined> {
  const segments = pathSegments(url.pathname);
  const query = url.searchParams;
  if (family === 'compute') {
    if (segments[1] !== 'v1') return undefined;
    return handleCompute(ctx, { method, segments: segments.slice(2), query, body });
  }
  if (family === 'prometheus') {
    if (segments.slice(5).join('/') !== 'prometheus/api/v1/query') return undefined;
    if (method !== 'GET' && method !== 'POST') return undefined;
    return handlePromQuery(ctx.state, traffic, { method, query, contentType, body });
  }
  const version = segments[0];
  if (version !== 'v1' && version !== 'v1beta1') return undefined;
  return handleMesh(ctx, { method, version, segments: segments.slice(1), query, body });
}

function routeNotFound(method: string, pathname: string): ApiError {
  return notFound(`The requested URL ${pathname} was not found on this server (${method}).`);
}

function send(res: ServerResponse, family: ApiFamily, reply: Reply | ApiError): void {
  if (reply instanceof ApiError) {
    const rendered = renderError(family, reply);
    sendJson(res, rendered.status, rendered.body, headersFor(family));
    return;
  }
  sendJson(res, reply.status, reply.body, headersFor(family));
}

function headersFor(family: ApiFamily): Readonly<Record<string, string>> {
  return family === 'google' || family === 'compute'
    ? GOOGLE_HEADERS
    : { 'Content-Type': 'application/json' };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
