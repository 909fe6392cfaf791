// Conflicts between backends: one BackendService per backend, no two selectors
// on the same endpoints and ports; the older backend keeps what it has.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findConflicts, selectorsOverlap } from '../../src/compiler/conflicts.ts';
import type { MeshBackend, MeshBackendSpec } from '../../src/api/types.ts';
import { backend } from '../fixtures/objects.ts';

function aged(
  name: string,
  created: string | undefined,
  spec: Partial<MeshBackendSpec>,
  ns = 'shop',
): MeshBackend {
  const b = backend(name, { project: 'demo-project', ...spec }, ns);
  if (created !== undefined) b.metadata.creationTimestamp = created;
  return b;
}

const selector = (labels: Record<string, string>) => ({
  endpointSelector: { matchLabels: labels },
});

void describe('backend conflicts', () => {
  void it('give a BackendService to the older of two backends', () => {
    const older = aged('b', '2026-01-01T00:00:00Z', { backendService: 'shared' });
    const newer = aged('a', '2026-02-01T00:00:00Z', { backendService: 'shared' });
    const conflicts = findConflicts([newer, older]);
    assert.equal(conflicts.length, 1);
    assert.equal(conflicts[0]?.name, 'a');
    assert.equal(conflicts[0]?.reason, 'BackendServiceConflict');
    assert.equal(conflicts[0]?.winner, 'shop/b');
  });

  void it('let a backend already live in Google Cloud keep its BackendService over an older one', () => {
    const older = aged('old', '2026-01-01T00:00:00Z', { backendService: 'shared' });
    const live = aged('live', '2026-02-01T00:00:00Z', { backendService: 'shared' });
    live.status = { resources: { authorizationPolicy: 'projects/demo-project/x' } };
    assert.deepEqual(
      findConflicts([older, live]).map((c) => c.name),
      ['old'],
    );
  });

  void it('break a tie in age by namespace and name', () => {
    const x = aged('x', undefined, { backendService: 'shared' }, 'alpha');
    const y = aged('y', undefined, { backendService: 'shared' }, 'beta');
    assert.deepEqual(
      findConflicts([y, x]).map((c) => c.name),
      ['y'],
    );
  });

  void it('allow the same BackendService name in different projects', () => {
    const a = aged('a', undefined, { backendService: 'shared', project: 'project-one' });
    const b = aged('b', undefined, { backendService: 'shared', project: 'project-two' });
    assert.deepEqual(findConflicts([a, b]), []);
  });

  void it('report selectors that could match one endpoint on a shared port', () => {
    const a = aged('a', '2026-01-01T00:00:00Z', selector({ app: 'orders' }));
    const b = aged('b', '2026-01-02T00:00:00Z', selector({ app: 'orders', tier: 'web' }));
    const conflicts = findConflicts([a, b]);
    assert.deepEqual(
      conflicts.map((c) => [c.name, c.reason]),
      [['b', 'SelectorConflict']],
    );
    assert.match(conflicts[0]?.message ?? '', /^spec\.endpointSelector: /);
  });

  void it('accept selectors that disagree on a key', () => {
    const a = aged('a', undefined, selector({ app: 'orders' }));
    const b = aged('b', undefined, selector({ app: 'payments' }));
    assert.deepEqual(findConflicts([a, b]), []);
  });

  void it('accept overlapping selectors on different ports', () => {
    const a = aged('a', undefined, { ...selector({ app: 'x' }), ports: [8080] });
    const b = aged('b', undefined, { ...selector({ app: 'x' }), ports: [9090] });
    assert.deepEqual(findConflicts([a, b]), []);
  });

  void it('let a backend that lost block nobody', () => {
    const a = aged('a', '2026-01-01T00:00:00Z', {
      ...selector({ app: 'x' }),
      backendService: 's1',
    });
    const b = aged('b', '2026-01-02T00:00:00Z', {
      ...selector({ tier: 't' }),
      backendService: 's1',
    });
    const c = aged('c', '2026-01-03T00:00:00Z', {
      ...selector({ app: 'y', tier: 't' }),
      backendService: 's3',
    });
    assert.deepEqual(
      findConflicts([c, b, a]).map((x) => x.name),
      ['b'],
    );
  });

  void it('skip backends without a project', () => {
    const a = backend('a', { backendService: 'shared' });
    const b = backend('b', { backendService: 'shared' });
    assert.deepEqual(findConflicts([a, b]), []);
    assert.equal(findConflicts([a, b], () => 'demo-project').length, 1);
  });

  void it('treat disjoint label sets as overlapping', () => {
    assert.equal(selectorsOverlap({ app: 'x' }, { tier: 'y' }), true);
    assert.equal(selectorsOverlap({ app: 'x' }, { app: 'y' }), false);
  });
});
