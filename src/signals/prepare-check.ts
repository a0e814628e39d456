import type { CheckDefinition } from './check-identity.ts';
import type { Probe } from './probes/probe-kind.ts';
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
  const { spec } = definition;
  return {
    key: definition.key,
    revision: definition.revision,
    periodMs: spec.periodSeconds * 1000,
    timeoutMs: spec.timeoutSeconds * 1000,
    initialDelayMs: spec.initialDelaySeconds * 1000,
    probe: prepareProbe(definition, options.forVerify === true),
  };
}

function prepareProbe(definition: CheckDefinition, forVerify: boolean): Probe {
  const { kind, spec } = probeOf(definition.spec);
  const probeKind = findProbeKind(kind);
  try {
    if (!probeKind) throw new Error(`unknown probe kind ${kind}`);
    if (forVerify && probeKind.forVerify) return probeKind.prepare(probeKind.forVerify(spec));
    return probeKind.prepare(spec, definition.resume);
  } catch (err) {
    // A probe that cannot be prepared (an unreadable CA file, say) fails every run with the reason,
    // so the check turns failing and says why instead of the whole prober stopping.
    const error = `cannot prepare ${kind} probe: ${err instanceof Error ? err.message : String(err)}`;
    return async () => ({ ok: false, error });
  }
}
