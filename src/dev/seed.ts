// Seeds the emulator for the `meshaccess dev` demo from examples/emulator/demo.json: the
// BackendServices the example backends protect, the xDS labels of their endpoints, and
// simulated callers, so the viewer watches a rollout driven by (simulated) traffic.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

const DEMO_FILE = resolve(import.meta.dirname, '..', '..', 'examples', 'emulator', 'demo.json');

interface Demo {
  backendServices: Record<string, unknown>[];
  endpoints: { backendService: string; labels: Record<string, string>; port: number }[];
  callers: Record<string, unknown>[];
}

async function send(url: URL, method: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok && res.status !== 409) {
    throw new Error(`${method} ${url.pathname} answered ${res.status}: ${await res.text()}`);
  }
}

/** Replaces `{{project}}` in every string of a JSON value. */
function withProject<T>(value: T, project: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll('{{project}}', project)) as T;
}

/** Creates the demo's BackendServices, endpoints and callers in the emulator. */
export async function seedDemo(emulatorUrl: string, project: string, file = DEMO_FILE) {
  const demo = withProject(JSON.parse(await readFile(file, 'utf8')) as Demo, project);
  const root = new URL(emulatorUrl);
  for (const service of demo.backendServices) {
    await send(
      new URL(`/compute/v1/projects/${project}/global/backendServices`, root),
      'POST',
      service,
    );
  }
  for (const endpoint of demo.endpoints) {
    await send(new URL('/_emulator/endpoints', root), 'POST', { project, ...endpoint });
  }
  for (const caller of demo.callers) {
    await send(new URL('/_emulator/callers', root), 'POST', { project, ...caller });
  }
}
