import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateAuthorization,
  evaluateAuthorizationPolicies,
  InvalidPolicyError,
  type AuthorizationDestination,
  type AuthorizationPolicyBody,
  type AuthorizationRequest,
  type AuthorizationRule,
  type AuthorizationSource,
} from '../../src/compiler/evaluate.ts';
import { compilePathPattern } from '../../src/compiler/paths.ts';

const FRONTEND = 'spiffe://proj.svc.id.goog/ns/shop/sa/frontend';
const BATCH = 'spiffe://proj.svc.id.goog/ns/jobs/sa/batch';

function request(overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest {
  return { principal: FRONTEND, method: 'GET', path: '/api/v1/orders', port: 8080, ...overrides };
}

function pathRegex(pattern: string): string {
  const compiled = compilePathPattern(pattern, 'SidecarProxy');
  assert.ok(compiled.ok && compiled.regex !== null);
  return compiled.regex;
}

function allowOne(source: AuthorizationSource, destination: AuthorizationDestination) {
  return { action: 'ALLOW', rules: [{ sources: [source], destinations: [destination] }] } as const;
}

const dest = (extra: Partial<AuthorizationDestination> = {}): AuthorizationDestination => ({
  hosts: ['*'],
  ports: [8080],
  ...extra,
});

describe('policy actions', () => {
  it('allows everything when no policy is attached', () => {
    assert.deepEqual(evaluateAuthorization(undefined, request({ principal: undefined })), {
      allowed: true,
      reason: 'NoPolicy',
    });
    assert.equal(evaluateAuthorization(null, request()).allowed, true);
  });

  it('allows everything under ALLOW with no rules (the fail-open shape we never send)', () => {
    const decision = evaluateAuthorization({ action: 'ALLOW' }, request({ principal: undefined }));
    assert.deepEqual(decision, { allowed: true, reason: 'AllowWithoutRules' });
    assert.equal(evaluateAuthorization({ action: 'ALLOW', rules: [] }, request()).allowed, true);
  });

  it('denies everything under DENY with no rules', () => {
    assert.deepEqual(evaluateAuthorization({ action: 'DENY' }, request()), {
      allowed: false,
      reason: 'DenyWithoutRules',
    });
    assert.equal(evaluateAuthorization({ action: 'DENY', rules: [] }, request()).allowed, false);
  });

  it('under ALLOW with rules, allows only what some rule matches and names that rule', () => {
    const policy: AuthorizationPolicyBody = {
      action: 'ALLOW',
      rules: [
        { sources: [{ principals: [BATCH] }], destinations: [dest()] },
        { sources: [{ principals: [FRONTEND] }], destinations: [dest()] },
      ],
    };
    assert.deepEqual(evaluateAuthorization(policy, request()), {
      allowed: true,
      matchedRule: 1,
      reason: 'RuleMatched',
    });
    const stranger = request({ principal: 'spiffe://proj.svc.id.goog/ns/x/sa/y' });
    assert.deepEqual(evaluateAuthorization(policy, stranger), {
      allowed: false,
      reason: 'NoRuleMatched',
    });
  });

  it('under DENY with rules, denies only what some rule matches', () => {
    const policy: AuthorizationPolicyBody = {
      action: 'DENY',
      rules: [{ sources: [{ principals: [BATCH] }] }],
    };
    assert.deepEqual(evaluateAuthorization(policy, request({ principal: BATCH })), {
      allowed: false,
      matchedRule: 0,
      reason: 'RuleMatched',
    });
    assert.equal(evaluateAuthorization(policy, request()).allowed, true);
  });

  it('reports the first matching rule when several match', () => {
    const rule: AuthorizationRule = { destinations: [dest()] };
    const decision = evaluateAuthorization({ action: 'ALLOW', rules: [rule, rule] }, request());
    assert.equal(decision.matchedRule, 0);
  });
});

describe('rules need every source and every destination', () => {
  it('a rule with no sources and no destinations matches every request', () => {
    const decision = evaluateAuthorization({ action: 'ALLOW', rules: [{}] }, request());
    assert.equal(decision.allowed, true);
  });

  it('two sources must both match, so two different principals in two sources match nobody', () => {
    const rule = {
      sources: [{ principals: [FRONTEND] }, { principals: [BATCH] }],
      destinations: [dest()],
    };
    const policy: AuthorizationPolicyBody = { action: 'ALLOW', rules: [rule] };
    assert.equal(evaluateAuthorization(policy, request()).allowed, false);
    assert.equal(evaluateAuthorization(policy, request({ principal: BATCH })).allowed, false);
  });

  it('two destinations must both match, so two ports in two destinations match no request', () => {
    const rule = { destinations: [dest({ ports: [8080] }), dest({ ports: [9090] })] };
    const policy: AuthorizationPolicyBody = { action: 'ALLOW', rules: [rule] };
    assert.equal(evaluateAuthorization(policy, request()).allowed, false);
    assert.equal(evaluateAuthorization(policy, request({ port: 9090 })).allowed, false);
  });

  it('either of two entries in one list field is enough', () => {
    const policy = allowOne({ principals: [BATCH, FRONTEND] }, dest({ ports: [9090, 8080] }));
    assert.equal(evaluateAuthorization(policy, request()).allowed, true);
  });

  it('a matching source with a non-matching destination does not match', () => {
    const policy = allowOne({ principals: [FRONTEND] }, dest({ ports: [9090] }));
    assert.equal(evaluateAuthorization(policy, request()).allowed, false);
  });
});

describe('principals', () => {
  const cases: [pattern: string, principal: string | undefined, expected: boolean][] = [
    [FRONTEND, FRONTEND, true],
    [FRONTEND, `${FRONTEND}x`, false],
    [FRONTEND, FRONTEND.toUpperCase(), false],
    ['spiffe://proj.svc.id.goog/ns/shop/sa/*', FRONTEND, true],
    ['spiffe://proj.svc.id.goog/ns/shop/sa/*', BATCH, false],
    ['*/sa/frontend', FRONTEND, true],
    ['*/sa/frontend', BATCH, false],
    ['*', FRONTEND, true],
    ['*', undefined, false],
    [FRONTEND, undefined, false],
    ['spiffe://proj.svc.id.goog/ns/shop/sa/*', undefined, false],
  ];
  for (const [pattern, principal, expected] of cases) {
    const caller = principal ?? 'a plaintext caller';
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${caller}`, () => {
      const policy = allowOne({ principals: [pattern] }, dest());
      assert.equal(evaluateAuthorization(policy, request({ principal })).allowed, expected);
    });
  }

  it('a rule without sources admits plaintext callers too', () => {
    const policy: AuthorizationPolicyBody = {
      action: 'ALLOW',
      rules: [{ destinations: [dest()] }],
    };
    assert.equal(evaluateAuthorization(policy, request({ principal: undefined })).allowed, true);
  });
});

describe('ipBlocks (never sent by us) resolve towards denial for unknown addresses', () => {
  it('an ALLOW rule with ipBlocks does not admit a request of unknown address', () => {
    const policy = allowOne({ principals: [FRONTEND], ipBlocks: ['10.0.0.0/8'] }, dest());
    assert.equal(evaluateAuthorization(policy, request()).allowed, false);
  });

  it('a DENY rule with ipBlocks denies a request of unknown address', () => {
    const policy: AuthorizationPolicyBody = {
      action: 'DENY',
      rules: [{ sources: [{ ipBlocks: ['10.0.0.0/8'] }] }],
    };
    assert.equal(evaluateAuthorization(policy, request()).allowed, false);
  });

  const cases: [blocks: string[], ip: string, expected: boolean][] = [
    [['10.0.0.0/8'], '10.1.2.3', true],
    [['10.0.0.0/8'], '11.1.2.3', false],
    [['10.1.2.3'], '10.1.2.3', true],
    [['10.1.2.3'], '10.1.2.4', false],
    [['192.168.0.0/16', 'fd00::/8'], 'fd00::1', true],
    [['fd00::/8'], '10.1.2.3', false],
  ];
  for (const [blocks, ip, expected] of cases) {
    it(`${blocks.join(',')} ${expected ? 'matches' : 'does not match'} a caller at ${ip}`, () => {
      const policy = allowOne({ ipBlocks: blocks }, dest());
      const decision = evaluateAuthorization(policy, request({ sourceIp: ip }));
      assert.equal(decision.allowed, expected);
    });
  }

  it('principals and ipBlocks of one source must both match', () => {
    const policy = allowOne({ principals: [FRONTEND], ipBlocks: ['10.0.0.0/8'] }, dest());
    assert.equal(evaluateAuthorization(policy, request({ sourceIp: '10.0.0.1' })).allowed, true);
    const plaintext = request({ sourceIp: '10.0.0.1', principal: undefined });
    assert.equal(evaluateAuthorization(policy, plaintext).allowed, false);
  });

  for (const block of ['10.0.0.0/33', '10.0.0.0/', 'ten/8', '10.0.0.0/8/8', 'fd00::/129']) {
    it(`refuses the malformed ipBlock ${block}`, () => {
      const policy = allowOne({ ipBlocks: [block] }, dest());
      assert.throws(
        () => evaluateAuthorization(policy, request({ sourceIp: '10.0.0.1' })),
        InvalidPolicyError,
      );
    });
  }
});

describe('destinations', () => {
  const hostCases: [hosts: string[], host: string | undefined, expected: boolean][] = [
    [['orders.shop.svc'], 'orders.shop.svc', true],
    [['orders.shop.svc'], 'ORDERS.Shop.svc', true],
    [['orders.shop.svc'], 'orders.shop.svc.evil', false],
    [['orders.*'], 'orders.example.com', true],
    [['orders.*'], 'payments.example.com', false],
    [['*.example.com'], 'Orders.Example.COM', true],
    [['*.example.com'], 'example.com', false],
    [['*'], 'anything', true],
    [['orders.shop.svc'], undefined, true],
  ];
  for (const [hosts, host, expected] of hostCases) {
    const target = host ?? 'an unspecified host';
    it(`hosts ${hosts.join(',')} ${expected ? 'match' : 'do not match'} ${target}`, () => {
      const policy = allowOne({}, dest({ hosts }));
      assert.equal(evaluateAuthorization(policy, request({ host })).allowed, expected);
    });
  }

  it('ports must include the request port', () => {
    const policy = allowOne({}, dest({ ports: [8080, 8443] }));
    assert.equal(evaluateAuthorization(policy, request({ port: 8443 })).allowed, true);
    assert.equal(evaluateAuthorization(policy, request({ port: 9000 })).allowed, false);
  });

  it('methods, when listed, must include the request method exactly; absent means any', () => {
    const limited = allowOne({}, dest({ methods: ['GET', 'HEAD'] }));
    assert.equal(evaluateAuthorization(limited, request({ method: 'HEAD' })).allowed, true);
    assert.equal(evaluateAuthorization(limited, request({ method: 'POST' })).allowed, false);
    assert.equal(evaluateAuthorization(limited, request({ method: 'get' })).allowed, false);
    const any = allowOne({}, dest());
    assert.equal(evaluateAuthorization(any, request({ method: 'DELETE' })).allowed, true);
  });

  it('the header regex on :path runs on the raw path, query included, as a full match', () => {
    const match = { headerName: ':path', regexMatch: pathRegex('/api/v1/orders/*') };
    const policy = allowOne({ principals: [FRONTEND] }, dest({ httpHeaderMatch: match }));
    const verdict = (path: string) => evaluateAuthorization(policy, request({ path })).allowed;
    assert.equal(verdict('/api/v1/orders/42?x=1'), true);
    assert.equal(verdict('/api/v1/orders/../admin'), false);
    assert.equal(verdict('/api/v1/orders'), false);
    const unanchored = allowOne(
      {},
      dest({ httpHeaderMatch: { headerName: ':path', regexMatch: 'orders' } }),
    );
    assert.equal(evaluateAuthorization(unanchored, request()).allowed, false);
  });

  it('a regex on another header finds it in any case; a missing header fails', () => {
    const match = { headerName: 'X-Tenant', regexMatch: 'blue|green' };
    const policy = allowOne({}, dest({ httpHeaderMatch: match }));
    const withHeader = request({ headers: { 'x-tenant': 'green' } });
    assert.equal(evaluateAuthorization(policy, withHeader).allowed, true);
    const other = request({ headers: { 'x-tenant': 'greenish' } });
    assert.equal(evaluateAuthorization(policy, other).allowed, false);
    assert.equal(evaluateAuthorization(policy, request()).allowed, false);
  });

  it('a header regex on :method and :authority reads the request method and host', () => {
    const byMethod = allowOne(
      {},
      dest({ httpHeaderMatch: { headerName: ':method', regexMatch: 'GET|HEAD' } }),
    );
    assert.equal(evaluateAuthorization(byMethod, request()).allowed, true);
    assert.equal(evaluateAuthorization(byMethod, request({ method: 'PUT' })).allowed, false);
    const byHost = allowOne(
      {},
      dest({ httpHeaderMatch: { headerName: ':authority', regexMatch: 'a\\.example' } }),
    );
    assert.equal(evaluateAuthorization(byHost, request({ host: 'a.example' })).allowed, true);
    assert.equal(
      evaluateAuthorization(byHost, request()).allowed,
      false,
      'unknown host never grants',
    );
  });

  it('refuses a policy whose regex RE2 cannot compile, as the data plane would', () => {
    const policy = allowOne(
      {},
      dest({ httpHeaderMatch: { headerName: ':path', regexMatch: '^/a(?=b)' } }),
    );
    assert.throws(() => evaluateAuthorization(policy, request()), InvalidPolicyError);
  });
});

describe('several policies', () => {
  const allowFrontend: AuthorizationPolicyBody = allowOne({ principals: [FRONTEND] }, dest());
  const denyAll: AuthorizationPolicyBody = { action: 'DENY' };
  const denyBatch: AuthorizationPolicyBody = {
    action: 'DENY',
    rules: [{ sources: [{ principals: [BATCH] }] }],
  };

  it('allow everything when there are none', () => {
    assert.deepEqual(evaluateAuthorizationPolicies([], request()), {
      allowed: true,
      reason: 'NoPolicy',
    });
  });

  it('let a DENY policy win over an ALLOW policy', () => {
    const decision = evaluateAuthorizationPolicies([allowFrontend, denyAll], request());
    assert.deepEqual(decision, { allowed: false, reason: 'DenyWithoutRules', policy: 1 });
  });

  it('with only DENY policies, allow what none of them denies', () => {
    const decision = evaluateAuthorizationPolicies([denyBatch], request());
    assert.deepEqual(decision, { allowed: true, reason: 'NoRuleMatched' });
  });

  it('with ALLOW policies, need one of them to allow', () => {
    const both = [denyBatch, allowFrontend];
    assert.equal(evaluateAuthorizationPolicies(both, request()).allowed, true);
    assert.equal(evaluateAuthorizationPolicies(both, request({ principal: BATCH })).allowed, false);
    const stranger = request({ principal: 'spiffe://p/ns/x/sa/y' });
    assert.deepEqual(evaluateAuthorizationPolicies(both, stranger), {
      allowed: false,
      reason: 'NoRuleMatched',
    });
  });
});
