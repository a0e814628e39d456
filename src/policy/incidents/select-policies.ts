import type { WhenContext } from '../../config/kinds/policy-when.ts';
import type { CompiledPolicy, CompiledService } from '../compile.ts';
import type { SignalRecord } from '../state.ts';

export interface Selection {
  /** Every policy that matched, highest precedence first: the first decides. */
  matched: CompiledPolicy[];
  /** `when` expressions that failed at run time (a missing map key): not a match, but said. */
  whenErrors: { policy: string; message: string }[];
}

/**
 * The policies that match a signal: among the service's candidates (precomputed at load),
 * sources, roles, label matchers, then `when`. A signal without a role (an alert) is not
 * filtered by role; a readiness or startup signal only by policies that name its role.
 */
export function selectPolicies(
  service: CompiledService,
  signal: SignalRecord,
  incident: () => WhenContext['incident'],
): Selection {
  const matched: CompiledPolicy[] = [];
  const whenErrors: Selection['whenErrors'] = [];
  let context: WhenContext | undefined;
  for (const policy of service.candidates) {
    if (policy.sources !== null && !policy.sources.has(signal.source)) continue;
    if (signal.role !== null && !policy.roles.has(signal.role)) continue;
    if (!policy.matches(signal.labels)) continue;
    if (policy.when !== null) {
      context ??= whenContext(service, signal, incident());
      try {
        if (!policy.when(context)) continue;
      } catch (err) {
        whenErrors.push({ policy: policy.name, message: firstLine(err) });
        continue;
      }
    }
    matched.push(policy);
  }
  return { matched, whenErrors };
}

function whenContext(
  service: CompiledService,
  signal: SignalRecord,
  incident: WhenContext['incident'],
): WhenContext {
  return {
    signal: {
      fingerprint: signal.fingerprint,
      source: signal.source,
      service: service.name,
      check: signal.check ?? '',
      role: signal.role ?? '',
      labels: signal.labels,
      status: 'firing',
      startsAt: BigInt(Math.trunc(signal.startsAt)),
      at: BigInt(Math.trunc(signal.at)),
      summary: signal.summary,
      error: signal.error,
    },
    service: { name: service.name, labels: service.labels, dependsOn: service.dependsOn },
    incident,
  };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
