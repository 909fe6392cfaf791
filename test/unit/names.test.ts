// Object ids and ownership labels: valid for the Google APIs, stable, unique
// per backend and cluster, and recognised only for their owner.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  isManagedByCluster,
  isOwnedBy,
  labelValue,
  objectId,
  objectNames,
  objectIds,
  ownershipLabels,
} from '../../src/compiler/names.ts';

const GCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

const k8sName = fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,250}[a-z0-9])?$/);
const k8sNamespace = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
const clusterName = fc.stringMatching(/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/);

void describe('object ids', () => {
  void it('read as ma-cluster-namespace-name-hash', () => {
    assert.match(objectId('dev', 'shop', 'orders'), /^ma-dev-shop-orders-[0-9a-f]{8}$/);
  });

  void it('are the same on every call, so restarts find the same objects', () => {
    assert.equal(objectId('dev', 'shop', 'orders'), objectId('dev', 'shop', 'orders'));
  });

  void it('differ for namespaces and names that read alike when joined', () => {
    assert.notEqual(objectId('dev', 'a-b', 'c'), objectId('dev', 'a', 'b-c'));
  });

  void it('differ between clusters', () => {
    assert.notEqual(objectId('east', 'shop', 'orders'), objectId('west', 'shop', 'orders'));
  });

  void it('are valid Google Cloud ids for any Kubernetes name, however long', () => {
    fc.assert(
      fc.property(clusterName, k8sNamespace, k8sName, (c, ns, name) => {
        const id = objectId(c, ns, name);
        assert.match(id, GCE_NAME);
        assert.ok(id.length <= 63);
      }),
    );
  });

  void it('keep long names apart through the hash', () => {
    const long = 'x'.repeat(200);
    assert.notEqual(objectId('dev', 'shop', `${long}a`), objectId('dev', 'shop', `${long}b`));
    assert.equal(objectId('dev', 'shop', long).length, 63);
  });

  void it('give full names under projects/P/locations/global', () => {
    const names = objectNames('demo-project', objectIds('dev', 'shop', 'orders'));
    const id = objectId('dev', 'shop', 'orders');
    assert.equal(
      names.authorizationPolicy,
      `projects/demo-project/locations/global/authorizationPolicies/${id}`,
    );
    assert.equal(
      names.endpointPolicy,
      `projects/demo-project/locations/global/endpointPolicies/${id}`,
    );
    assert.equal(
      names.serverTlsPolicy,
      `projects/demo-project/locations/global/serverTlsPolicies/${id}`,
    );
    assert.equal(
      names.clientTlsPolicy,
      `projects/demo-project/locations/global/clientTlsPolicies/${id}`,
    );
  });
});

void describe('ownership labels', () => {
  void it('carry the cluster, namespace and backend', () => {
    assert.deepEqual(ownershipLabels('dev', 'shop', 'orders.v2'), {
      'managed-by': 'meshaccess',
      'meshaccess-cluster': 'dev',
      'meshaccess-namespace': 'shop',
      'meshaccess-backend': 'orders_v2',
    });
  });

  void it('follow Google Cloud label rules for any Kubernetes name', () => {
    fc.assert(
      fc.property(clusterName, k8sNamespace, k8sName, (c, ns, name) => {
        for (const [key, value] of Object.entries(ownershipLabels(c, ns, name))) {
          assert.match(key, LABEL_KEY);
          assert.match(value, LABEL_VALUE);
        }
      }),
    );
  });

  void it('hash values too long for a label', () => {
    const long = 'y'.repeat(100);
    assert.equal(labelValue(long).length, 63);
    assert.notEqual(labelValue(`${long}1`), labelValue(`${long}2`));
  });

  void it('mark an object as owned by exactly its backend and cluster', () => {
    const labels = ownershipLabels('dev', 'shop', 'orders');
    assert.equal(isOwnedBy(labels, 'dev', 'shop', 'orders'), true);
    assert.equal(isOwnedBy(labels, 'dev', 'shop', 'payments'), false);
    assert.equal(isOwnedBy(labels, 'dev', 'other', 'orders'), false);
    assert.equal(isOwnedBy(labels, 'prod', 'shop', 'orders'), false);
  });

  void it('do not mark objects without our labels as owned', () => {
    assert.equal(isOwnedBy(undefined, 'dev', 'shop', 'orders'), false);
    assert.equal(isOwnedBy(null, 'dev', 'shop', 'orders'), false);
    assert.equal(isOwnedBy({ 'managed-by': 'someone' }, 'dev', 'shop', 'orders'), false);
    const partial: Record<string, string> = ownershipLabels('dev', 'shop', 'orders');
    delete partial['managed-by'];
    assert.equal(isOwnedBy(partial, 'dev', 'shop', 'orders'), false);
  });

  void it('tell which cluster manages an object', () => {
    const labels = ownershipLabels('dev', 'shop', 'orders');
    assert.equal(isManagedByCluster(labels, 'dev'), true);
    assert.equal(isManagedByCluster(labels, 'prod'), false);
    assert.equal(isManagedByCluster({}, 'dev'), false);
  });
});
