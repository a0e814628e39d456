import type { CheckDefinition } from './check-identity.ts';
import type { Observation } from './observation.ts';
import type { Probe } from './probes/probe-kind.ts';
import { findProbeKind, probeOf } from './probes/registry.ts';
import type { ProbeOutcome, ScheduledCheck } from './scheduler.ts';

/** Turn a check definition into what the scheduler runs: its probe prepared once. */
export function prepareCheck(definition: CheckDefinition): ScheduledCheck {
  const { spec } = definition;
  return {
    key: definition.key,
    revision: definition.revision,
    periodMs: spec.periodSeconds * 1000,
    timeoutMs: spec.timeoutSeconds * 1000,
    initialDelayMs: spec.initialDelaySeconds * 1000,
    probe: prepareProbe(definition),
  };
}

function prepareProbe(definition: CheckDefinition): Probe {
  const { kind, spec } = probeOf(definition.spec);
  const probeKind = findProbeKind(kind);
  try {
    if (!probeKind) throw new Error(`unknown probe kind ${kind}`);
    return probeKind.prepare(spec, definition.resume);
  } catch (err) {
    // A probe that cannot be prepared (an unreadable CA file, say) fails every run with the reason,
    // so the check turns failing and says why instead of the whole prober stopping.
    const error = `cannot prepare ${kind} probe: ${err instanceof Error ? err.message : String(err)}`;
    return async () => ({ ok: false, error });
  }
}

/**
 * What crosses from a probe worker to the detector. A passing probe's output is dropped: evidence
 * worth keeping is what failed, and copying every healthy body between threads costs CPU.
 */
export function compactOutcome(outcome: ProbeOutcome): ProbeOutcome {
  const { observation } = outcome;
  if (!observation.ok || observation.output === undefined) return outcome;
  const { output: _output, ...kept } = observation;
  return { ...outcome, observation: kept as Observation };
}
