import type { LabelMatcher } from './matcher.ts';
import { compileMatchers } from './matcher.ts';

/** A policy's `match.services`: names and label matchers, both must hold. */
export interface ServiceSelection {
  names: readonly string[];
  matchers: readonly LabelMatcher[];
}

/** The part of a service a selection reads. */
export interface SelectableService {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/**
 * Which configured services a policy can match: the engine's candidates (src/policy/compile.ts)
 * and the load-time check of its heal params ask the same question here. Unset: every service
 * (and ones only alerts know, which no config check can see).
 */
export function serviceSelector(
  selection: ServiceSelection | null | undefined,
): (service: SelectableService) => boolean {
  if (selection == null) return () => true;
  const names = new Set(selection.names);
  const labels = compileMatchers(selection.matchers);
  return (service) => (names.size === 0 || names.has(service.name)) && labels(service.labels);
}
