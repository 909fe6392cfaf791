// Regular expressions shared by the CRD schema (OpenAPI `pattern` and CEL
// `matches`) and the offline validator. They use only the syntax that RE2 (the
// API server's CEL) and ECMAScript (OpenAPI patterns, JavaScript) read alike:
// classes, groups, `* + ?` and anchors, no lookaround.

/** Characters allowed inside one path segment of a grant path pattern. */
const SEGMENT_CHAR = "[A-Za-z0-9._~!$&'()+,=:@-]";
/** One canonical segment: never `.` or `..`, so at least one non-dot character. */
const SEGMENT = `\\.*[A-Za-z0-9_~!$&'()+,=:@-]${SEGMENT_CHAR}*`;

/**
 * Shape of a grant path pattern: `*` (any), `/` or `/a/b` (exact, optional trailing slash),
 * `/a/*` (prefix), `*.json` or `*`+`/a` (suffix). No `%`, `;`, `\`, `?`, `#`, no `*` in the
 * middle, no empty or dot segments. The path compiler applies the same rules and more.
 */
export const PATH_PATTERN = [
  '^(',
  '\\*',
  '|/',
  `|(/${SEGMENT})+/?`,
  `|(/${SEGMENT})*/\\*`,
  `|\\*(${SEGMENT_CHAR}+(/${SEGMENT})*/?|(/${SEGMENT})+/?|/)`,
  ')$',
].join('');

const SPIFFE_SEGMENT = '\\.*[A-Za-z0-9_-][A-Za-z0-9._-]*';
const TRUST_DOMAIN = '[a-z0-9]([a-z0-9.-]*[a-z0-9])?';

/**
 * A SPIFFE ID usable as a grant principal: `spiffe://TRUST_DOMAIN/path`, or with a trailing
 * `/ns/NAMESPACE/sa/*` meaning every service account of that namespace.
 */
export const PRINCIPAL_PATTERN =
  `^spiffe://${TRUST_DOMAIN}((/${SPIFFE_SEGMENT})+` +
  `|(/${SPIFFE_SEGMENT})*/ns/${SPIFFE_SEGMENT}/sa/\\*)$`;

/** A SPIFFE trust domain such as `my-project.svc.id.goog`. */
export const TRUST_DOMAIN_PATTERN = `^${TRUST_DOMAIN}$`;

/** A Kubernetes namespace (DNS label). */
export const NAMESPACE_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** A Kubernetes service account name (DNS subdomain). */
export const SERVICE_ACCOUNT_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$';

/** A Compute Engine resource name (RFC 1035 label). */
export const GCE_NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';

/** A Google Cloud project id. */
export const PROJECT_PATTERN = '^[a-z][-a-z0-9]{4,28}[a-z0-9]$';

/** A destination host: exact, `*.suffix`, `prefix.*` or `*`, with an optional `:port`. */
export const HOST_PATTERN =
  '^(\\*|(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(\\.\\*)?(:[0-9]{1,5})?)$';

/** An HTTP method in upper case. */
export const METHOD_PATTERN = '^[A-Z][A-Z_-]*$';

/** A key of an xDS node metadata label. */
export const LABEL_KEY_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$';

/** A duration in whole seconds, minutes or hours, such as `90s`, `10m` or `1h`. */
export const DURATION_PATTERN = '^[1-9][0-9]{0,5}(s|m|h)$';

/** A plaintext share between 0 and 1 as a decimal string, such as `0`, `0.01` or `1`. */
export const THRESHOLD_PATTERN = '^(0(\\.[0-9]{1,6})?|1(\\.0{1,6})?)$';
