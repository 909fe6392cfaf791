// The kustomize base in deploy/ is accepted by a real API server (server-side dry run),
// and its RBAC grants what the controller uses and no more than that.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubectl } from '../helpers/cluster.ts';

const BASE = join(import.meta.dirname, '..', '..', 'deploy', 'base');

describe('the deployment manifests', { timeout: 60_000 }, () => {
  it('pass a server-side dry run on a real API server', async () => {
    // A dry run creates nothing, so the namespace the objects go into must exist already.
    await kubectl(['create', 'namespace', 'meshaccess-system']).catch(() => undefined);
    const { stdout } = await kubectl(['apply', '--dry-run=server', '-k', BASE]);
    for (const kind of [
      'customresourcedefinition.apiextensions.k8s.io/meshbackends.meshaccess.io',
      'serviceaccount/meshaccess',
      'clusterrole.rbac.authorization.k8s.io/meshaccess-controller',
      'deployment.apps/meshaccess-controller',
    ]) {
      assert.match(stdout, new RegExp(kind.replace(/[./]/g, '\\$&')));
    }
  });

  it('grant no write access to anything but status, finalizers and events', async () => {
    const { stdout } = await kubectl(['kustomize', BASE]);
    const role = parseAllDocuments(stdout)
      .map(
        (d) => d.toJSON() as { kind?: string; rules?: { resources: string[]; verbs: string[] }[] },
      )
      .find((d) => d.kind === 'ClusterRole');
    const writes = (role?.rules ?? []).filter((r) =>
      r.verbs.some((v) => ['create', 'update', 'patch', 'delete'].includes(v)),
    );
    const written = writes.flatMap((r) => r.resources).sort();
    assert.deepEqual(written, [
      'events',
      'meshaccessgrants/status',
      'meshbackends',
      'meshbackends/status',
    ]);
  });
});
