import { RE2JS } from 're2js';
import { CONFIG_LIMITS } from './limits.ts';

/**
 * The one way a regular expression from the config is compiled: `bodyRegex`, runbook param
 * `pattern`s and `=~` / `!~` label matchers. RE2 syntax (as in Go, Prometheus and Alertmanager),
 * matched by RE2JS in time linear in the input: JavaScript's backtracking RegExp takes
 * exponential time on patterns such as `(a+)+$`, at load (a param's default is checked against
 * its pattern) and on every probe. RE2 has no lookaround and no backreferences; `(?i)` makes a
 * pattern case-insensitive.
 */
export interface SafeRegex {
  /** The pattern as written in the config. */
  readonly source: string;
  /** Whether the pattern matches somewhere in `text` (everywhere, when anchored). */
  test(text: string): boolean;
}

export const RE2_SYNTAX =
  'RE2 syntax, as in Prometheus: no lookaround or backreferences, `(?i)` for case-insensitive';

/**
 * Compile `pattern`, anchored at both ends or not; or say why it cannot be used, as
 * `expected a regular expression in RE2 syntax{where}, found "(a" (missing closing ): ...)`.
 */
export function compileSafeRegex(
  pattern: string,
  options: { anchored?: boolean; where?: string } = {},
): { regex: SafeRegex } | { error: string } {
  const fail = (why: string) => ({
    error: `expected a regular expression in RE2 syntax${options.where ?? ''}, found ${shown(pattern)} (${why})`,
  });
  const max = CONFIG_LIMITS.maxRegexLength;
  if (pattern.length > max) {
    return fail(`${count(pattern.length)} characters, over the limit of ${count(max)}`);
  }
  let compiled: RE2JS;
  try {
    // The pattern alone first, so that an error quotes what was written, not the anchoring.
    compiled = RE2JS.compile(pattern);
    if (options.anchored) compiled = RE2JS.compile(`^(?:${pattern})$`);
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /, '');
    const hint = /Perl syntax|escape sequence: `\\[1-9]|named capture: `\(\?<[!=]/.test(why)
      ? '; RE2 has no lookaround or backreferences'
      : '';
    return fail(`${why}${hint}`);
  }
  return { regex: { source: pattern, test: (text) => compiled.test(text) } };
}

const count = (n: number) => n.toLocaleString('en-US');

function shown(pattern: string): string {
  return JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 80)}…` : pattern);
}

/** For patterns already checked at load (the config validated them): compile or throw. */
export function safeRegex(pattern: string, options: { anchored?: boolean } = {}): SafeRegex {
  const compiled = compileSafeRegex(pattern, options);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled.regex;
}
