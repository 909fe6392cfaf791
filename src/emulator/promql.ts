// A documented subset of PromQL, enough for request-share gates:
//
//   expr     := aggr | func | NUMBER | expr OP expr | '(' expr ')'
//   aggr     := 'sum' [by] '(' expr ')' [by]          by := 'by' '(' label, ... ')'
//   func     := ('increase' | 'rate') '(' selector '[' DURATION ']' ')'
//   selector := METRIC ['{' label ('=' | '!=' | '=~' | '!~') "string", ... '}']
//   OP       := '+' | '-' | '*' | '/'   (scalar with scalar or vector; vector with
//               vector matched one-to-one on identical label sets)
//
// Anything else is refused with an error naming what is not supported.
// Counters come from the traffic ledger, so increase() is exact: no sampling,
// no extrapolation; rate() is increase() divided by the window in seconds.

import { RE2JS } from 're2js';
import { invalidArgument } from './errors.ts';

/** A parsed expression. */
export type Expr =
  | { kind: 'number'; value: number }
  | {
      kind: 'range';
      fn: 'increase' | 'rate';
      metric: string;
      matchers: Matcher[];
      windowMs: number;
    }
  | { kind: 'sum'; by: string[] | undefined; arg: Expr }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Expr; right: Expr };

/** One label matcher. */
export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const TOKEN = new RegExp(
  [
    String.raw`\s*(?:(\d+(?:\.\d+)?(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*)`, // duration
    String.raw`(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)`, // number
    String.raw`([A-Za-z_:][A-Za-z0-9_:]*)`, // identifier
    String.raw`("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')`, // string
    String.raw`(=~|!~|!=|=|[(){}[\],+\-*/]))`, // punctuation
  ].join('|'),
  'y',
);

type Token = { type: 'duration' | 'number' | 'ident' | 'string' | 'punct'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let index = 0;
  while (source.slice(index).trim() !== '') {
    TOKEN.lastIndex = index;
    const m = TOKEN.exec(source);
    if (m === null)
      throw unsupported(
        `unexpected character at position ${index}: "${source.slice(index).trim()[0] ?? ''}"`,
      );
    index = TOKEN.lastIndex;
    const [, duration, number, ident, string, punct] = m;
    if (duration !== undefined) tokens.push({ type: 'duration', text: duration });
    else if (number !== undefined) tokens.push({ type: 'number', text: number });
    else if (ident !== undefined) tokens.push({ type: 'ident', text: ident });
    else if (string !== undefined) tokens.push({ type: 'string', text: string });
    else tokens.push({ type: 'punct', text: punct ?? '' });
  }
  return tokens;
}

function unsupported(what: string): Error {
  return invalidArgument(`unsupported by the emulator's PromQL subset: ${what}`);
}

/** Parses a query in the supported subset. */
export function parsePromQL(source: string): Expr {
  const parser = new Parser(tokenize(source));
  const expr = parser.expression(1);
  parser.end();
  return expr;
}

const PRECEDENCE: Readonly<Record<string, number>> = { '+': 1, '-': 1, '*': 2, '/': 2 };

class Parser {
  #tokens: Token[];
  #pos = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  /** Precedence climbing over + - * /; `minPrecedence` starts at 1. */
  expression(minPrecedence: number): Expr {
    let left = this.primary();
    for (;;) {
      const token = this.#peek();
      const precedence = token?.type === 'punct' ? PRECEDENCE[token.text] : undefined;
      if (token === undefined || precedence === undefined || precedence < minPrecedence)
        return left;
      this.#pos += 1;
      const right = this.expression(precedence + 1);
      left = { kind: 'binary', op: token.text as '+' | '-' | '*' | '/', left, right };
    }
  }

  end(): void {
    const extra = this.#peek();
    if (extra !== undefined) throw unsupported(`unexpected "${extra.text}"`);
  }

  primary(): Expr {
    const token = this.#next('an expression');
    if (token.type === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.text === '(') {
      const inner = this.expression(1);
      this.#expect(')');
      return inner;
    }
    if (token.type !== 'ident') throw unsupported(`unexpected "${token.text}"`);
    if (token.text === 'sum') return this.sum();
    if (token.text === 'increase' || token.text === 'rate') return this.range(token.text);
    if (this.#peek()?.text === '(') throw unsupported(`function or aggregation "${token.text}"`);
    throw unsupported(`bare selector "${token.text}" (use increase() or rate())`);
  }

  sum(): Expr {
    let by = this.#by();
    this.#expect('(');
    const arg = this.expression(1);
    this.#expect(')');
    by ??= this.#by();
    return { kind: 'sum', by, arg };
  }

  range(fn: 'increase' | 'rate'): Expr {
    this.#expect('(');
    const metric = this.#next('a metric name');
    if (metric.type !== 'ident') throw unsupported(`selector starting with "${metric.text}"`);
    const matchers = this.#peek()?.text === '{' ? this.#matchers() : [];
    this.#expect('[');
    const window = this.#next('a duration');
    if (window.type !== 'duration') throw unsupported(`range "${window.text}"`);
    this.#expect(']');
    if (this.#peek()?.type === 'ident') throw unsupported(`modifier "${this.#peek()?.text ?? ''}"`);
    this.#expect(')');
    return {
      kind: 'range',
      fn,
      metric: metric.text,
      matchers,
      windowMs: parseDuration(window.text),
    };
  }

  #by(): string[] | undefined {
    const word = this.#peek()?.text;
    if (word === 'without') throw unsupported('"without"');
    if (word !== 'by') return undefined;
    this.#pos += 1;
    this.#expect('(');
    const labels: string[] = [];
    while (this.#peek()?.text !== ')') {
      const label = this.#next('a label');
      if (label.type !== 'ident') throw unsupported(`label "${label.text}"`);
      labels.push(label.text);
      if (this.#peek()?.text === ',') this.#pos += 1;
    }
    this.#expect(')');
    return labels;
  }

  #matchers(): Matcher[] {
    this.#expect('{');
    const matchers: Matcher[] = [];
    while (this.#peek()?.text !== '}') {
      const label = this.#next('a label');
      const op = this.#next('a matcher operator');
      const value = this.#next('a string');
      if (
        label.type !== 'ident' ||
        !['=', '!=', '=~', '!~'].includes(op.text) ||
        value.type !== 'string'
      ) {
        throw unsupported(`label matcher near "${label.text}${op.text}${value.text}"`);
      }
      matchers.push({
        label: label.text,
        op: op.text as Matcher['op'],
        value: unquote(value.text),
      });
      if (this.#peek()?.text === ',') this.#pos += 1;
    }
    this.#expect('}');
    return matchers;
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#pos];
  }

  #next(what: string): Token {
    const token = this.#tokens[this.#pos];
    if (token === undefined) throw unsupported(`query ends where ${what} was expected`);
    this.#pos += 1;
    return token;
  }

  #expect(text: string): void {
    const token = this.#next(`"${text}"`);
    if (token.text !== text) throw unsupported(`expected "${text}" but found "${token.text}"`);
  }
}

function unquote(text: string): string {
  return text.slice(1, -1).replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t' })[c] ?? c);
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** Milliseconds in a Prometheus duration such as `90s` or `1h30m`. */
export function parseDuration(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|[smhdwy])/g)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 0);
  }
  if (total <= 0) throw unsupported(`duration "${text}"`);
  return total;
}

/** True when a series' labels satisfy every matcher (regexes are anchored RE2). */
export function matchesAll(labels: Record<string, string>, matchers: Matcher[]): boolean {
  return matchers.every((m) => {
    const value = labels[m.label] ?? '';
    switch (m.op) {
      case '=':
        return value === m.value;
      case '!=':
        return value !== m.value;
      case '=~':
        return anchored(m.value).matches(value);
      case '!~':
        return !anchored(m.value).matches(value);
    }
  });
}

function anchored(pattern: string): RE2JS {
  try {
    return RE2JS.compile(`^(?:${pattern})$`);
  } catch {
    throw invalidArgument(`invalid regular expression "${pattern}"`);
  }
}
