import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { differingFields, refersTo, sameValue } from '../../src/controller/diff.ts';

describe('comparing desired and actual Google Cloud bodies', () => {
  it('treats absent fields as their proto3 defaults', () => {
    assert.ok(sameValue({ allowOpen: false, labels: {} }, {}));
    assert.ok(!sameValue({ allowOpen: true }, {}));
  });
  it('ignores output-only fields and reports the fields that differ', () => {
    const desired = { action: 'ALLOW', rules: [{ sources: [{ principals: ['a'] }] }], labels: { x: '1' } };
    const actual = { name: 'n', createTime: 't', action: 'ALLOW', rules: [{ sources: [{ principals: ['b'] }] }], labels: { x: '1' } };
    assert.deepEqual(differingFields(desired, actual), ['rules']);
  });
  it('reports a field Google holds that we no longer want', () => {
    assert.deepEqual(differingFields({ mtlsPolicy: {} }, { allowOpen: true }), ['allowOpen']);
  });
  it('accepts a reference whose project id was rewritten to the project number', () => {
    const full = 'projects/shop/locations/global/clientTlsPolicies/ma-x';
    assert.ok(refersTo('//networksecurity.googleapis.com/projects/123456/locations/global/clientTlsPolicies/ma-x', full, 'shop'));
    assert.ok(refersTo(full, full, 'shop'));
    assert.ok(!refersTo('projects/other/locations/global/clientTlsPolicies/ma-x', full, 'shop'));
    assert.ok(!refersTo('projects/shop/locations/global/clientTlsPolicies/ma-y', full, 'shop'));
  });
});
