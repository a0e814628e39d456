import type { CheckDefinition } from './check-identity.ts';
import type { Probe, ProbeKind } from './probes/probe-kind.ts';
import type { ScheduledCheck } from './scheduler.ts';

/** What preparing a check needs of its kind. */
export type PreparingKind = Pick<ProbeKind, 'prepare' | 'forVerify'>;

/**
 * prepareCheck (prepare-check.ts) with the kind given, not looked up in the registry, for a caller that has its kinds from elsewhere (a probe
 * worker loads only the kinds of its shard: worker-probe-kinds.ts).
 */
export function prepareCheckOfKind(
  definition: CheckDefinition,
  kind: string,
  spec: unknown,
  probeKind: PreparingKind | undefined,
  options: { forVerify?: boolean } = {},
): ScheduledCheck {
  const check = definition.spec;
  return {
    key: definition.key,
    revision: definition.revision,
    periodMs: check.periodSeconds * 1000,
    timeoutMs: check.timeoutSeconds * 1000,
    initialDelayMs: check.initialDelaySeconds * 1000,
    probe: prepareProbe(definition, kind, spec, probeKind, options.forVerify === true),
  };
}

function prepareProbe(
  definition: CheckDefinition,
  kind: string,
  spec: unknown,
  probeKind: PreparingKind | undefined,
  forVerify: boolean,
): Probe {
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
