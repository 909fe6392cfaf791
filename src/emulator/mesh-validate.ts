// Semantic validation of the four kinds, after the JSON shape is known to be
// right. It is as strict as the real API is documented to be for what the
// controller sends; where the real behaviour is not known the emulator
// refuses (the conservative choice), so a controller tested here does not
// depend on leniency Google may not have.

import { isIP } from 'node:net';
import { invalidArgument } from './errors.ts';
import { isObject } from './http.ts';
import { MAX_REGEX_PROGRAM_SIZE, type RegexSizer } from './regex-check.ts';

type Body = Record<string, unknown>;

/** Validates one resource body of the given collection; throws an ApiError. */
export async function validateMeshBody(
  collection: string,
  body: Body,
  sizer: RegexSizer,
): Promise<void> {
  checkCommon(body);
  switch (collection) {
    case 'authorizationPolicies':
      return checkAuthorizationPolicy(body, sizer);
    case 'serverTlsPolicies':
      return checkServerTlsPolicy(body);
    case 'clientTlsPolicies':
      return checkClientTlsPolicy(body);
    case 'endpointPolicies':
      return checkEndpointPolicy(body);
    default:
      throw invalidArgument(`Unknown collection ${collection}.`);
  }
}

/** The resource-id rule for create requests: a letter, then letters, digits, - or _. */
export function checkResourceId(idParam: string, id: string | null): string {
  if (id === null || id === '') throw invalidArgument(`Field '${idParam}' is required.`);
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,62}$/.test(id)) {
    throw invalidArgument(
      `Invalid ${idParam} '${id}': it must be 1 to 63 characters long, start with a letter and ` +
        'contain only letters, digits, hyphens and underscores.',
    );
  }
  return id;
}

function checkCommon(body: Body): void {
  const description = body['description'];
  if (typeof description === 'string' && description.length > 1024) {
    throw invalidArgument('description must be at most 1024 characters.');
  }
  const labels = isObject(body['labels']) ? body['labels'] : {};
  for (const [key, value] of Object.entries(labels)) {
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(key)) throw invalidArgument(`Invalid label key '${key}'.`);
    if (typeof value !== 'string' || !/^[a-z0-9_-]{0,63}$/.test(value)) {
      throw invalidArgument(`Invalid value for label '${key}'.`);
    }
  }
}

async function checkAuthorizationPolicy(body: Body, sizer: RegexSizer): Promise<void> {
  const action = body['action'];
  if (action !== 'ALLOW' && action !== 'DENY') {
    throw invalidArgument('action must be specified and must be ALLOW or DENY.');
  }
  const rules = list(body['rules']);
  for (const [r, rule] of rules.entries()) {
    for (const [i, source] of list(rule['sources']).entries())
      checkSource(source, `rules[${r}].sources[${i}]`);
    for (const [i, dest] of list(rule['destinations']).entries()) {
      await checkDestination(dest, `rules[${r}].destinations[${i}]`, sizer);
    }
  }
}

function checkSource(source: Body, path: string): void {
  const principals = strings(source['principals']);
  const ipBlocks = strings(source['ipBlocks']);
  if (principals.length === 0 && ipBlocks.length === 0) {
    throw invalidArgument(`${path}: at least one of principals or ipBlocks must be set.`);
  }
  for (const p of principals) checkWildcard(p, `${path}.principals`);
  for (const block of ipBlocks) checkIpBlock(block, `${path}.ipBlocks`);
}

async function checkDestination(dest: Body, path: string, sizer: RegexSizer): Promise<void> {
  const hosts = strings(dest['hosts']);
  if (hosts.length === 0) throw invalidArgument(`${path}.hosts is required.`);
  for (const h of hosts) checkWildcard(h, `${path}.hosts`);
  const ports = list(dest['ports']) as unknown as number[];
  if (ports.length === 0) throw invalidArgument(`${path}.ports is required.`);
  for (const port of ports) {
    if (port < 1 || port > 65535)
      throw invalidArgument(`${path}.ports: ${port} is not a valid port.`);
  }
  for (const method of strings(dest['methods'])) {
    if (!/^[A-Za-z]+$/.test(method))
      throw invalidArgument(`${path}.methods: invalid method '${method}'.`);
  }
  const match = dest['httpHeaderMatch'];
  if (isObject(match)) await checkHeaderMatch(match, `${path}.httpHeaderMatch`, sizer);
}

async function checkHeaderMatch(match: Body, path: string, sizer: RegexSizer): Promise<void> {
  const name = match['headerName'];
  const regex = match['regexMatch'];
  if (typeof name !== 'string' || name === '')
    throw invalidArgument(`${path}.headerName is required.`);
  if (typeof regex !== 'string' || regex === '')
    throw invalidArgument(`${path}.regexMatch is required.`);
  const result = await sizer(regex);
  if (!result.ok)
    throw invalidArgument(
      `${path}.regexMatch '${regex}' is not a valid RE2 regex: ${result.error}`,
    );
  if (result.size > MAX_REGEX_PROGRAM_SIZE) {
    throw invalidArgument(
      `${path}.regexMatch '${regex}' has RE2 program size ${result.size}, ` +
        `larger than the maximum of ${MAX_REGEX_PROGRAM_SIZE}.`,
    );
  }
}

function checkWildcard(value: string, path: string): void {
  const stars = value.split('*').length - 1;
  const placed = value === '*' || (stars === 1 && (value.startsWith('*') || value.endsWith('*')));
  if (value === '' || (stars > 0 && !placed)) {
    throw invalidArgument(
      `${path}: '${value}' must be exact, a prefix or suffix match with one '*', or '*'.`,
    );
  }
}

function checkIpBlock(block: string, path: string): void {
  const [ip = '', bits, ...rest] = block.split('/');
  const family = isIP(ip);
  const max = family === 6 ? 128 : 32;
  const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max);
  if (family === 0 || !bitsOk || rest.length > 0) {
    throw invalidArgument(`${path}: '${block}' is not an IP address or CIDR range.`);
  }
}

function checkServerTlsPolicy(body: Body): void {
  const cert = body['serverCertificate'];
  const mtls = body['mtlsPolicy'];
  if (cert !== undefined) checkProvider(cert, 'serverCertificate');
  if (body['allowOpen'] === true && cert !== undefined && mtls === undefined) {
    throw invalidArgument(
      'serverCertificate with allowOpen requires mtlsPolicy: plaintext together with ' +
        'server-only TLS is not supported.',
    );
  }
  if (!isObject(mtls)) return;
  if (cert === undefined) throw invalidArgument('mtlsPolicy requires serverCertificate.');
  const cas = list(mtls['clientValidationCa']);
  if (mtls['clientValidationMode'] !== undefined) {
    if (cas.length > 0 || body['allowOpen'] === true) {
      throw invalidArgument(
        'clientValidationMode cannot be combined with clientValidationCa or allowOpen.',
      );
    }
    return;
  }
  if (cas.length === 0) throw invalidArgument('mtlsPolicy.clientValidationCa is required.');
  cas.forEach((ca, i) => checkProvider(ca, `mtlsPolicy.clientValidationCa[${i}]`));
}

function checkClientTlsPolicy(body: Body): void {
  if (body['clientCertificate'] !== undefined)
    checkProvider(body['clientCertificate'], 'clientCertificate');
  list(body['serverValidationCa']).forEach((ca, i) =>
    checkProvider(ca, `serverValidationCa[${i}]`),
  );
}

function checkProvider(value: unknown, path: string): void {
  const provider = isObject(value) ? value : {};
  const grpc = provider['grpcEndpoint'];
  const instance = provider['certificateProviderInstance'];
  if ((grpc === undefined) === (instance === undefined)) {
    throw invalidArgument(
      `${path}: exactly one of grpcEndpoint or certificateProviderInstance must be set.`,
    );
  }
  if (isObject(grpc) && !String(grpc['targetUri'] ?? '').startsWith('unix:')) {
    throw invalidArgument(`${path}.grpcEndpoint.targetUri must be a unix: path.`);
  }
  if (
    instance !== undefined &&
    (!isObject(instance) || typeof instance['pluginInstance'] !== 'string')
  ) {
    throw invalidArgument(`${path}.certificateProviderInstance.pluginInstance is required.`);
  }
}

function checkEndpointPolicy(body: Body): void {
  const type = body['type'];
  if (type !== 'SIDECAR_PROXY' && type !== 'GRPC_SERVER') {
    throw invalidArgument('type must be specified and must be SIDECAR_PROXY or GRPC_SERVER.');
  }
  checkMatcher(body['endpointMatcher']);
  const selector = isObject(body['trafficPortSelector']) ? body['trafficPortSelector'] : {};
  for (const port of strings(selector['ports'])) checkPortSelector(port);
  if (type === 'GRPC_SERVER' && body['clientTlsPolicy'] !== undefined) {
    throw invalidArgument('clientTlsPolicy can only be set when type is SIDECAR_PROXY.');
  }
}

function checkMatcher(value: unknown): void {
  const matcher = isObject(value) ? value['metadataLabelMatcher'] : undefined;
  if (!isObject(matcher))
    throw invalidArgument('endpointMatcher.metadataLabelMatcher is required.');
  const criteria = matcher['metadataLabelMatchCriteria'];
  if (criteria !== 'MATCH_ANY' && criteria !== 'MATCH_ALL') {
    throw invalidArgument('metadataLabelMatchCriteria must be MATCH_ANY or MATCH_ALL.');
  }
  const labels = list(matcher['metadataLabels']);
  if (labels.length > 64) throw invalidArgument('metadataLabels can have at most 64 entries.');
  if (labels.length === 0 && criteria === 'MATCH_ALL') {
    throw invalidArgument('metadataLabels can be empty only with MATCH_ANY.');
  }
  for (const [i, label] of labels.entries()) {
    if (typeof label['labelName'] !== 'string' || typeof label['labelValue'] !== 'string') {
      throw invalidArgument(`metadataLabels[${i}]: labelName and labelValue are required.`);
    }
  }
}

function checkPortSelector(port: string): void {
  const single = (p: string) => /^\d+$/.test(p) && Number(p) >= 1 && Number(p) <= 65535;
  const range = /^\[?(\d+)-(\d+)\]?$/.exec(port);
  const ok =
    port === '*' ||
    single(port) ||
    (range !== null &&
      single(range[1] ?? '') &&
      single(range[2] ?? '') &&
      Number(range[1]) <= Number(range[2])) ||
    /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(port);
  if (!ok)
    throw invalidArgument(`trafficPortSelector.ports: '${port}' is not a port, range or name.`);
}

function list(value: unknown): Body[] {
  return Array.isArray(value) ? (value as Body[]) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
