// Path patterns of a MeshAccessGrant, compiled to anchored regexes on `:path`.
//
// Design note. The AuthorizationPolicy API matches paths only through a regex on
// the raw `:path` header, which still holds the query string and is not
// normalized: `/a/../admin`, `/a//b`, `/a;x` and `/a%2Fb` reach the regex as
// sent. We cannot tell whether the proxy or the application will resolve such
// forms, so every generated regex accepts canonical paths only: segments of
// RFC 3986 path characters without `%`, `;` and `\`, each holding at least one
// character that is not a dot, joined by single slashes, then an optional
// `?query`. Anything else is denied, even where Istio would allow it after
// normalizing; that false deny is the price of never matching a request the
// backend would route somewhere else.
//
// The "at least one non-dot" rule is written without lookahead as
// `\.*N C*` (dots, one non-dot N, then any C), and a run of segments as
// `\.*N(?:C|/\.*N)*`, which keeps each character class to one or two copies:
// Envoy runs these regexes with RE2 and rejects any whose program exceeds 100
// instructions, dropping the whole configuration. RE2 matches a literal that
// follows `^` outside its program, so exact and prefix patterns cost the same
// at any length; literals after a wildcard cost one instruction per byte. The
// sizes below are the C++ library's counts for these exact shapes, and the
// tests measure every shape again with it.
//
// Only the syntax common to RE2 and ECMAScript is emitted: `^ $`, `(?:)`,
// character classes, `* + ?` and backslash escapes of punctuation.

import { ENVOY_MAX_PROGRAM_SIZE } from '../util/re2.ts';

/** Which data plane serves the backend; gRPC servers take gRPC method paths. */
export type ProxyType = 'SidecarProxy' | 'GrpcServer';

/** The form a pattern takes; `any` compiles to no regex at all. */
export type PathPatternKind = 'exact' | 'prefix' | 'suffix' | 'any' | 'grpcMethod' | 'grpcService';

/** A pattern that compiled: the regex for `:path` (null: any path) and its RE2 size. */
export type CompiledPath = {
  ok: true;
  kind: PathPatternKind;
  regex: string | null;
  programSize: number;
};

/** The outcome of compiling a pattern; `message` names what is wrong. */
export type PathCompileResult = CompiledPath | { ok: false; message: string };

/** The longest pattern accepted, so stored grants stay small. */
export const MAX_PATH_PATTERN_LENGTH = 512;

/** The RE2 program size no generated regex may exceed. */
export const PATH_REGEX_BUDGET = ENVOY_MAX_PROGRAM_SIZE;

const SEGMENT_CHAR = "[A-Za-z0-9._~!$&'()*+,=:@-]";
const NON_DOT_CHAR = "[A-Za-z0-9_~!$&'()*+,=:@-]";
const SEGMENT = `\\.*${NON_DOT_CHAR}${SEGMENT_CHAR}*`;
const SEGMENT_RUN = `\\.*${NON_DOT_CHAR}(?:${SEGMENT_CHAR}|/\\.*${NON_DOT_CHAR})*`;
const QUERY = '(?:\\?[^#]*)?$';
const GRPC_IDENTIFIER = '[A-Za-z_][A-Za-z0-9_]*';

// RE2 program sizes of the fixed parts of each shape (C++ RE2, default options).
// A literal after `^` is free; literal bytes elsewhere add one instruction each.
const SIZE = {
  exact: 15,
  prefix: 49,
  suffixAfterSlash: 34,
  suffixInSegment: 44,
  suffixAfterDots: 54,
  grpcMethod: 4,
  grpcService: 9,
} as const;

const PCHAR = /^[A-Za-z0-9._~!$&'()*+,=:@-]$/;
const GRPC_PATH = new RegExp(
  `^/(?:${GRPC_IDENTIFIER}\\.)*${GRPC_IDENTIFIER}/(?:${GRPC_IDENTIFIER}|\\*)$`,
);

const CHARACTER_PROBLEMS: Record<string, string> = {
  ';':
    '";" is not allowed: servers such as Tomcat and Jetty read it as a parameter separator ' +
    '(so "/a/..;/b" reaches "/b"); requests whose path holds ";" are always denied',
  '%':
    'percent-encoding is not allowed: write the character itself; requests whose path holds ' +
    '"%" are always denied, because decoders disagree on what they mean',
  '\\': 'a backslash is not allowed: some servers treat it as "/"',
  '?':
    '"?" starts the query string, which patterns do not match: remove it and what follows ' +
    '(any query is accepted after a matching path)',
  '#': '"#" starts a fragment, which clients never send: remove it and what follows',
  '*':
    '"*" may only be the whole pattern, the first character (a suffix match such as ' +
    '"*.json") or the last segment after "/" (a prefix match such as "/api/*")',
};

/** Escapes the characters that mean something in a regex (RE2 and ECMAScript alike). */
function escapeLiteral(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

function describeCharacter(ch: string): string {
  const known = CHARACTER_PROBLEMS[ch];
  if (known !== undefined) return known;
  const code = ch.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const shown = code > 0x20 && code !== 0x7f ? `"${ch}" ` : '';
  return (
    `character ${shown}(U+${hex}) is not allowed: only letters, digits and ` +
    `- . _ ~ ! $ & ' ( ) + , = : @ may appear between slashes`
  );
}

/** Finds the first character a literal part may not hold. */
function characterProblem(literal: string): string | undefined {
  for (const ch of literal) {
    if (ch !== '/' && !PCHAR.test(ch)) return describeCharacter(ch);
    if (ch === '*') return describeCharacter(ch);
  }
  return undefined;
}

/** Checks one segment that lies between two slashes (or ends the pattern). */
function segmentProblem(segment: string, isLast: boolean): string | undefined {
  if (segment === '') {
    return isLast
      ? undefined
      : 'empty segments ("//") are not allowed: requests with them are denied';
  }
  if (/^\.+$/.test(segment)) {
    return segment.length <= 2
      ? `dot segment "${segment}" is not allowed: servers resolve it to another path`
      : `segment "${segment}" is made only of dots, which requests may not use`;
  }
  return undefined;
}

/** Checks the segments of `/`-separated text; the first part is checked unless skipFirst. */
function segmentsProblem(text: string, skipFirst: boolean): string | undefined {
  const parts = text.split('/');
  for (let i = skipFirst ? 1 : 0; i < parts.length; i++) {
    const problem = segmentProblem(parts[i] ?? '', i === parts.length - 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function fail(pattern: string, problem: string): PathCompileResult {
  return { ok: false, message: `path "${pattern}": ${problem}` };
}

function withinBudget(
  pattern: string,
  compiled: CompiledPath,
  literalBytes: number,
): PathCompileResult {
  if (compiled.programSize <= PATH_REGEX_BUDGET) return compiled;
  const fixed = compiled.programSize - literalBytes;
  return fail(
    pattern,
    `the regex would need ${compiled.programSize} RE2 instructions, more than ` +
      `the ${PATH_REGEX_BUDGET} Envoy accepts; shorten the text after "*" to at most ` +
      `${PATH_REGEX_BUDGET - fixed} characters`,
  );
}

/** Exact `/a/b` and prefix `/a/*` patterns: the literal sits right after `^`. */
function compileLiteralPath(pattern: string): PathCompileResult {
  if (!pattern.startsWith('/')) {
    return fail(pattern, 'must start with "/" (or be "*", or start with "*" for a suffix match)');
  }
  const isPrefix = pattern.endsWith('/*');
  const bare = pattern.slice(0, -1);
  if (!isPrefix && pattern.endsWith('*') && !bare.includes('*')) {
    return fail(
      pattern,
      'a prefix match must end in "/*" so that it cannot reach sibling names ' +
        `that share the text: use "${bare}/*" (and "${bare}" for the path itself)`,
    );
  }
  const literal = isPrefix ? bare : pattern;
  const problem = characterProblem(literal) ?? segmentsProblem(literal.slice(1), false);
  if (problem !== undefined) return fail(pattern, problem);
  const escaped = escapeLiteral(literal);
  if (!isPrefix)
    return { ok: true, kind: 'exact', regex: `^${escaped}${QUERY}`, programSize: SIZE.exact };
  const regex = `^${escaped}(?:${SEGMENT_RUN}/?)?${QUERY}`;
  return { ok: true, kind: 'prefix', regex, programSize: SIZE.prefix };
}

/** Suffix `*Y`: any canonical path whose text ends in Y. */
function compileSuffix(pattern: string): PathCompileResult {
  const suffix = pattern.slice(1);
  const problem = characterProblem(suffix) ?? segmentsProblem(suffix, true);
  if (problem !== undefined) return fail(pattern, problem);
  const head = suffix.split('/')[0] ?? '';
  const bytes = suffix.length; // validated: ASCII only
  let lead: string;
  let fixed: number;
  if (head === '') {
    [lead, fixed] = ['', SIZE.suffixAfterSlash];
  } else if (/^\.+$/.test(head)) {
    // The last segment must still hold a non-dot character before the dots.
    [lead, fixed] = [`/${SEGMENT}`, SIZE.suffixAfterDots];
  } else {
    [lead, fixed] = [`/${SEGMENT_CHAR}*`, SIZE.suffixInSegment];
  }
  const regex = `^(?:/${SEGMENT})*${lead}${escapeLiteral(suffix)}${QUERY}`;
  return withinBudget(
    pattern,
    { ok: true, kind: 'suffix', regex, programSize: fixed + bytes },
    bytes,
  );
}

function compileGrpc(pattern: string): PathCompileResult {
  if (!GRPC_PATH.test(pattern)) {
    return fail(
      pattern,
      'a gRPC path has the form "/package.Service/Method" or ' +
        '"/package.Service/*" (identifiers of letters, digits and "_"), or is "*"',
    );
  }
  if (pattern.endsWith('/*')) {
    const regex = `^${escapeLiteral(pattern.slice(0, -1))}${GRPC_IDENTIFIER}$`;
    return { ok: true, kind: 'grpcService', regex, programSize: SIZE.grpcService };
  }
  return {
    ok: true,
    kind: 'grpcMethod',
    regex: `^${escapeLiteral(pattern)}$`,
    programSize: SIZE.grpcMethod,
  };
}

/**
 * Compiles a grant path pattern into the regex for an httpHeaderMatch on
 * `:path`. Sidecar backends take exact `/a/b`, prefix `/a/*`, suffix `*.json`
 * and any `*`; gRPC servers take `/pkg.Service/Method`, `/pkg.Service/*` and
 * `*`. A null regex means "any path": omit the header match.
 */
export function compilePathPattern(
  pattern: string,
  proxyType: ProxyType = 'SidecarProxy',
): PathCompileResult {
  if (pattern === '') return fail(pattern, 'must not be empty');
  if (pattern.length > MAX_PATH_PATTERN_LENGTH) {
    return fail(
      pattern.slice(0, 40) + '…',
      `is ${pattern.length} characters long; ` + `at most ${MAX_PATH_PATTERN_LENGTH} are allowed`,
    );
  }
  if (pattern === '*') return { ok: true, kind: 'any', regex: null, programSize: 0 };
  if (proxyType === 'GrpcServer') return compileGrpc(pattern);
  if (pattern.startsWith('*')) return compileSuffix(pattern);
  return compileLiteralPath(pattern);
}

/** Returns what is wrong with a pattern, or undefined when it compiles. */
export function validatePathPattern(
  pattern: string,
  proxyType: ProxyType = 'SidecarProxy',
): string | undefined {
  const result = compilePathPattern(pattern, proxyType);
  return result.ok ? undefined : result.message;
}

// Endpoints that serve the platform rather than callers. Health checkers and
// metric scrapers usually connect without a mesh identity, and a principal can
// only match an mTLS caller, so a grant naming these rarely does what was meant.
const OPERATIONAL_PATHS: Record<ProxyType, readonly string[]> = {
  SidecarProxy: [
    '/healthz',
    '/readyz',
    '/livez',
    '/health',
    '/metrics',
    '/stats',
    '/debug',
    '/actuator',
  ],
  GrpcServer: ['/grpc.health.v1.Health'],
};

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** The operational endpoints a compiled pattern reaches, judged from its text. */
function operationalPathsReached(
  pattern: string,
  kind: PathPatternKind,
  proxyType: ProxyType,
): readonly string[] {
  const ops = OPERATIONAL_PATHS[proxyType];
  const literal = pattern.replace(/\*$/, '');
  switch (kind) {
    case 'any':
      return ops;
    case 'exact':
    case 'grpcMethod':
      return ops.filter((op) => isUnder(pattern, op));
    case 'prefix':
    case 'grpcService':
      return ops.filter((op) => isUnder(literal.slice(0, -1), op) || op.startsWith(literal));
    case 'suffix':
      return ops.filter((op) => op.endsWith(pattern.slice(1)));
  }
}

/**
 * Lints a valid pattern: over-broad forms, prefix patterns that leave out the
 * path itself, and operational endpoints. `alongside` holds the other paths of
 * the same grant. Invalid patterns yield no warnings; validation reports them.
 */
export function pathWarnings(
  pattern: string,
  proxyType: ProxyType = 'SidecarProxy',
  alongside: readonly string[] = [],
): string[] {
  const compiled = compilePathPattern(pattern, proxyType);
  if (!compiled.ok) return [];
  const warnings: string[] = [];
  const { kind } = compiled;
  if (kind === 'any' || pattern === '/*') {
    warnings.push(
      `path "${pattern}" grants every path, including any added later; ` +
        'list the paths callers need',
    );
  } else if (kind === 'suffix') {
    warnings.push(
      `path "${pattern}" matches that ending under every directory, ` + 'including any added later',
    );
  } else if (kind === 'prefix' && !alongside.includes(pattern.slice(0, -2))) {
    warnings.push(
      `path "${pattern}" does not match "${pattern.slice(0, -2)}" itself; ` +
        'add that path too if callers use it',
    );
  }
  const reached = operationalPathsReached(pattern, kind, proxyType);
  if (reached.length > 0) {
    warnings.push(
      `path "${pattern}" reaches operational endpoints (${reached.join(', ')}): ` +
        'health checkers and scrapers usually call without a mesh identity, which a principal ' +
        'cannot match, and workloads rarely need them',
    );
  }
  return warnings;
}
