// `meshaccess check`: renders the manifests, then decides one request against
// the backend's AuthorizationPolicy the way the data plane would. The first
// line is exactly ALLOW or DENY, so scripts can read it.
import { renderFiles, manifestOptions, parseFlags, processIo, validClusterName } from './render.ts';
import type { CommandIo } from './render.ts';
import { evaluateAuthorization, InvalidPolicyError } from '../compiler/evaluate.ts';
import type { AuthorizationRequest } from '../compiler/evaluate.ts';
import type { BackendPlan } from '../compiler/translate.ts';
import { enforcement } from '../compiler/attachment.ts';

const options = {
  ...manifestOptions,
  backend: { type: 'string' },
  principal: { type: 'string' },
  method: { type: 'string' },
  path: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
} as const;

const USAGE = `usage: meshaccess check -f PATH... --backend NS/NAME [--principal ID] --method M
         --path P [--port N] [--host H] [--project P] [--cluster-name NAME]

Decides one request against the AuthorizationPolicy rendered for the backend.
The first line of output is ALLOW or DENY; then the grant that decided and
whether the policy is in force yet.

  --principal ID   caller's SPIFFE ID; leave out for a plaintext caller
  --method M       HTTP method (default POST for GrpcServer backends)
  --path P         raw :path, query included
  --port N         default: the backend's first port
  --host H         default: any host matches

Exit status: 0 allow, 1 deny, 2 usage, read or backend errors.
`;

type Flags = NonNullable<ReturnType<typeof parseFlags<typeof options>>>;

function buildRequest(
  flags: Flags,
  plan: BackendPlan,
  io: CommandIo,
): AuthorizationRequest | undefined {
  const method = flags.method ?? (plan.spec.proxyType === 'GrpcServer' ? 'POST' : undefined);
  if (method === undefined || flags.path === undefined) {
    io.stderr(`meshaccess: check needs --method and --path\n\n${USAGE}`);
    return undefined;
  }
  const port = flags.port === undefined ? plan.spec.ports[0] : Number(flags.port);
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    io.stderr('meshaccess: --port must be a port number\n');
    return undefined;
  }
  if (!plan.spec.ports.includes(port)) {
    io.stderr(
      `meshaccess: the backend does not serve port ${port} (spec.ports: ${plan.spec.ports.join(', ')})\n`,
    );
    return undefined;
  }
  if (!/^[A-Z][A-Z_-]*$/.test(method)) {
    io.stderr(`meshaccess: --method "${method}" must be an upper-case HTTP method such as GET\n`);
    return undefined;
  }
  if (!flags.path.startsWith('/')) {
    io.stderr(`meshaccess: --path "${flags.path}" must be a raw :path starting with /\n`);
    return undefined;
  }
  const request: AuthorizationRequest = { method, path: flags.path, port };
  if (flags.principal !== undefined) request.principal = flags.principal;
  if (flags.host !== undefined) request.host = flags.host;
  return request;
}

function decidingGrant(plan: BackendPlan, matchedRule: number | undefined): string {
  if (plan.authorizationPolicy.action === 'DENY') {
    return (
      'grant: none; no grant of this backend is programmed, ' + 'so the policy denies every request'
    );
  }
  if (matchedRule === undefined)
    return 'grant: none matches; the policy denies what it does not allow';
  const total = plan.ruleOrigins.length;
  return `grant: ${plan.ruleOrigins[matchedRule] ?? '?'} (rule ${matchedRule + 1} of ${total})`;
}

function usageError(message: string, io: CommandIo): number {
  io.stderr(`meshaccess: ${message}\n\n${USAGE}`);
  return 2;
}

/** Runs `meshaccess check`; resolves to the exit code. */
export async function run(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const flags = parseFlags(argv, options, USAGE, io);
  if (flags === undefined) return 2;
  if (flags.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  if (flags.filename === undefined || flags.filename.length === 0) {
    return usageError('check needs at least one -f PATH', io);
  }
  if (flags.backend === undefined || !/^[^/]+\/[^/]+$/.test(flags.backend)) {
    return usageError('check needs --backend NAMESPACE/NAME', io);
  }
  if (!validClusterName(flags['cluster-name'], io)) return 2;
  const rendered = await renderFiles(
    flags.filename,
    { project: flags.project, clusterName: flags['cluster-name'] },
    io,
  );
  if (rendered === undefined) return 2;
  const plan = rendered.plans.get(flags.backend);
  if (plan === undefined) {
    const problems = rendered.output.problems.filter(
      (p) => p.object === `MeshBackend/${flags.backend}`,
    );
    const why =
      problems.map((p) => `${p.reason}: ${p.message}`).join('; ') || 'not found in the manifests';
    io.stderr(`meshaccess: MeshBackend ${flags.backend}: ${why}\n`);
    return 2;
  }
  const request = buildRequest(flags, plan, io);
  if (request === undefined) return 2;
  try {
    const decision = evaluateAuthorization(plan.authorizationPolicy, request);
    const lines = [
      decision.allowed ? 'ALLOW' : 'DENY',
      decidingGrant(plan, decision.matchedRule),
      `enforcement: ${enforcement(plan.spec).message}`,
    ];
    io.stdout(`${lines.join('\n')}\n`);
    return decision.allowed ? 0 : 1;
  } catch (error) {
    if (!(error instanceof InvalidPolicyError)) throw error;
    io.stderr(`meshaccess: the rendered policy would be refused: ${error.message}\n`);
    return 2;
  }
}
