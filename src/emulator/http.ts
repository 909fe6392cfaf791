// Small HTTP plumbing shared by every route: reading a bounded body, parsing
// it as JSON or a form, and replying with the headers Google's front end sends.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidArgument } from './errors.ts';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Headers the Google front end put on every recorded reply, success or error. */
export const GOOGLE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json; charset=UTF-8',
  Server: 'ESF',
  Vary: 'Origin, X-Origin, Referer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-XSS-Protection': '0',
};

/** Reads the whole request body as text, refusing bodies over 4 MiB. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw invalidArgument('Request body too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON request body; an empty body is an empty object. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidArgument(`Invalid JSON payload received. Unexpected token.\n${text.slice(0, 40)}`);
  }
}

/** Narrows an unknown value to a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a body that must be a JSON object. */
export function parseObjectBody(text: string): Record<string, unknown> {
  const parsed = parseJsonBody(text);
  if (!isObject(parsed))
    throw invalidArgument('Invalid JSON payload received. Expected an object.');
  return parsed;
}

/** Sends a JSON reply with the given status and headers. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = GOOGLE_HEADERS,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Splits a path into its segments, decoding each one. */
export function pathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
}
