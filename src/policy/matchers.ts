import type { LabelMatcher } from '../config/config.ts';

// The predicates live in config, where the load-time checks use them too.
export {
  compileMatcher,
  compileMatchers,
  type LabelPredicate,
} from '../config/kinds/matcher.ts';

export function formatMatcher(matcher: LabelMatcher): string {
  return `${matcher.name}${matcher.op}${JSON.stringify(matcher.value)}`;
}
