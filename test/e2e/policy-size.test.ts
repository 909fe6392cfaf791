// A full policy on real parts: grants that do not fit report PolicyTooLarge, grants already
// enforced keep their place, and an edit that grows a grant cannot push another one out.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl } from '../helpers/cluster.ts';
import { eventually } from '../helpers/controller.ts';
import { apply, getGrant, grant, ordersBackend, setupWorld } from '../helpers/e2e.ts';

const world = await setupWorld('size', { controllerArgs: ['--policy-max-rules=3'] });
const ns = world.namespace;

async function programmed(name: string) {
  return eventually(`a verdict on ${name}`, async () => {
    const g = await getGrant(ns, name);
    const c = g?.status?.conditions?.find((x) => x.type === 'Programmed');
    return c !== undefined &&
      c.observedGeneration === g?.metadata.generation &&
      c.reason !== 'Pending'
      ? c
      : undefined;
  });
}

function rulesFor(sa: string): number {
  const policy = [...world.emulator.state.mesh.values()].find((r) =>
    r.name.includes('/authorizationPolicies/'),
  );
  const rules = (policy?.body['rules'] as unknown[] | undefined) ?? [];
  return rules.filter((r) => JSON.stringify(r).includes(`/sa/${sa}"`)).length;
}

describe('a full authorization policy', { timeout: 120_000 }, () => {
  it('programs what fits and reports PolicyTooLarge on the rest', async () => {
    await apply(
      ordersBackend(ns, { mtls: { mode: 'Permissive' } }),
      grant(ns, 'a-reads', 'a-sa', ['GET'], ['/a/1', '/a/2']),
    );
    assert.equal((await programmed('a-reads')).status, 'True');
    await apply(grant(ns, 'b-reads', 'b-sa', ['GET'], ['/b/1']));
    assert.equal((await programmed('b-reads')).status, 'True');
    await apply(grant(ns, 'c-reads', 'c-sa', ['GET'], ['/c/1']));
    const c = await programmed('c-reads');
    assert.deepEqual([c.status, c.reason], ['False', 'PolicyTooLarge']);
    assert.equal(rulesFor('c-sa'), 0);
  });

  it('never lets a grown grant push out one that is enforced', async () => {
    await apply(grant(ns, 'a-reads', 'a-sa', ['GET'], ['/a/1', '/a/2', '/a/3']));
    const a = await programmed('a-reads');
    assert.deepEqual([a.status, a.reason], ['False', 'PolicyTooLarge']);
    assert.equal((await programmed('b-reads')).status, 'True');
    assert.equal(rulesFor('b-sa'), 1);
  });

  it('programs a waiting grant once room is made', async () => {
    await kubectl(['delete', '-n', ns, 'mag/a-reads']);
    await eventually('c-reads programmed', async () => {
      const c = await programmed('c-reads');
      return c.status === 'True' ? true : undefined;
    });
    assert.equal(rulesFor('c-sa'), 1);
    assert.equal(rulesFor('a-sa'), 0);
  });
});
