import type { CheckDefinition } from './check-identity.ts';
import { prepareCheckOfKind } from './prepare-check-of-kind.ts';
import { findProbeKind, probeOf } from './probes/registry.ts';
import type { ScheduledCheck } from './scheduler.ts';

/**
 * Turn a check definition into what the scheduler runs: its probe prepared once. `forVerify`:
 * for a one-off run after a heal (the kind's forVerify spec, when it has one).
 */
export function prepareCheck(
  definition: CheckDefinition,
  options: { forVerify?: boolean } = {},
): ScheduledCheck {
  const { kind, spec } = probeOf(definition.spec);
  return prepareCheckOfKind(definition, kind, spec, findProbeKind(kind), options);
}
