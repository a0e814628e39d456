import type { LabelMatcher } from '../config/config.ts';
import { anchoredRegex } from '../config/kinds/matcher.ts';

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

export function formatMatcher(matcher: LabelMatcher): string {
  return `${matcher.name}${matcher.op}${JSON.stringify(matcher.value)}`;
}
