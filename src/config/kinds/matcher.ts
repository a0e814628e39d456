import { z } from 'zod';
import { compileSafeRegex, type SafeRegex, safeRegex } from '../safe-regex.ts';

/** Alertmanager's matcher operators: equality and fully anchored regular expressions. */
export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOperator;
  value: string;
}

// name, operator, then a double-quoted value (with \" \\ \n escapes) or a bare one, as in
// Alertmanager's `matchers` (`env="prod"`, `job=~"api|web"`, `team!=ops`).
const MATCHER =
  /^\s*([A-Za-z_][A-Za-z0-9_./-]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s{},]*))\s*$/;

export const MATCHER_EXPECTED =
  'expected a matcher such as env="prod" or job=~"api|web" (operators =, !=, =~, !~)';

/** The regular expression a `=~` / `!~` matcher tests with: RE2, anchored at both ends. */
export function anchoredRegex(value: string): SafeRegex {
  return safeRegex(value, { anchored: true });
}

export function parseMatcher(text: string): LabelMatcher | { error: string } {
  const match = MATCHER.exec(text);
  if (match === null) return { error: MATCHER_EXPECTED };
  const [, name, op, quoted, bare] = match;
  const value =
    quoted === undefined
      ? bare!
      : quoted.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  if (op === '=~' || op === '!~') {
    const compiled = compileSafeRegex(value, { anchored: true, where: ` after ${op}` });
    if ('error' in compiled) return { error: compiled.error };
  }
  return { name: name!, op: op as MatchOperator, value };
}

/** A list of matchers, each checked on its own so every bad one is reported at its line. */
export function matchers() {
  return z.array(
    z.string().superRefine((text, ctx) => {
      const parsed = parseMatcher(text);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
    }),
  );
}

/** Optional matchers: empty by default. */
export function matcherList(description: string) {
  return matchers().default([]).describe(description);
}

export function toMatchers(texts: readonly string[]): LabelMatcher[] {
  return texts.map((text) => parseMatcher(text) as LabelMatcher);
}

export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;

/** Alertmanager semantics: a missing label is the empty string; regexes are fully anchored. */
export function compileMatcher(matcher: LabelMatcher): LabelPredicate {
  const { name, op, value } = matcher;
  const read = (labels: Readonly<Record<string, string>>) =>
    Object.hasOwn(labels, name) ? labels[name]! : '';
  switch (op) {
    case '=':
      return (labels) => read(labels) === value;
    case '!=':
      return (labels) => read(labels) !== value;
    case '=~': {
      const regex = anchoredRegex(value);
      return (labels) => regex.test(read(labels));
    }
    case '!~': {
      const regex = anchoredRegex(value);
      return (labels) => !regex.test(read(labels));
    }
  }
}

/** All must match; no matchers match everything. */
export function compileMatchers(matchers: readonly LabelMatcher[]): LabelPredicate {
  const predicates = matchers.map(compileMatcher);
  if (predicates.length === 0) return () => true;
  return (labels) => predicates.every((predicate) => predicate(labels));
}
