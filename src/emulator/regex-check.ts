// How the emulator judges a header regex in an AuthorizationPolicy: the way
// Envoy will, with the C++ RE2 library's program size (Envoy refuses more
// than 100). When that library is not installed the emulator can only check
// the syntax (with an RE2 port) and says so in its log.

import { RE2JS } from 're2js';
import { ENVOY_MAX_PROGRAM_SIZE, re2ProgramSize, type Re2SizeResult } from '../util/re2.ts';

/** Measures a pattern; the emulator refuses it on an error or a size over the limit. */
export type RegexSizer = (pattern: string) => Promise<Re2SizeResult>;

/** The largest RE2 program size the emulator accepts in a header regex. */
export const MAX_REGEX_PROGRAM_SIZE = ENVOY_MAX_PROGRAM_SIZE;

/** Measures with C++ RE2; falls back to a syntax-only check when it cannot run. */
export function defaultRegexSizer(onFallback: (error: unknown) => void): RegexSizer {
  let fallback = false;
  return async (pattern) => {
    if (!fallback) {
      try {
        return await re2ProgramSize(pattern);
      } catch (error) {
        fallback = true;
        onFallback(error);
      }
    }
    return syntaxOnly(pattern);
  };
}

function syntaxOnly(pattern: string): Re2SizeResult {
  try {
    RE2JS.compile(pattern);
    return { ok: true, size: 0 };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
