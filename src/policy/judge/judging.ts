import {
  type CompiledPolicies,
  type CompiledPolicy,
  type CompiledService,
  serviceOf,
} from '../compile.ts';
import type { Draft } from '../draft.ts';
import {
  type EngineState,
  type IncidentState,
  type ServiceState,
  type SignalRecord,
  signalOf,
} from '../state.ts';
import type { Guardrail, Reason } from '../types.ts';

/** What a guardrail may see of the decision in progress: read only. */
export interface DraftView {
  readonly compiled: CompiledPolicies;
  readonly now: number;
  readonly state: Readonly<EngineState>;
  peek(name: string): Readonly<ServiceState> | undefined;
}

/** Everything a guardrail needs to judge one incident, read only. */
export interface Judging {
  readonly d: DraftView;
  readonly svc: Readonly<ServiceState>;
  readonly inc: Readonly<IncidentState>;
  readonly service: CompiledService;
  /** The deciding policy; null when none matched (or it is gone after a reload). */
  readonly policy: CompiledPolicy | null;
  /** The signal that brought the policy (or the first firing one): templates and silences read it. */
  readonly lead: SignalRecord | undefined;
  /** Global dry-run, the policy's dry-run, or its shadow mode: decide, run nothing. */
  readonly mode: 'shadow' | 'dry-run' | null;
}

export function judging(d: Draft, service: string, inc: IncidentState): Judging {
  const svc = d.service(service);
  const policy = inc.policy === null ? null : (d.compiled.byName.get(inc.policy) ?? null);
  const lead =
    (inc.lead !== null ? signalOf(svc, inc.lead) : undefined) ??
    (inc.firing[0] !== undefined ? signalOf(svc, inc.firing[0]) : undefined);
  const config = policy?.config;
  const mode = config?.shadow
    ? 'shadow'
    : config?.dryRun || d.compiled.settings.dryRun
      ? 'dry-run'
      : null;
  return { d, svc, inc, service: serviceOf(d.compiled, service), policy, lead, mode };
}

/** A reason about this incident (recorded when its ruling is applied). */
export function reasonOf(
  j: Judging,
  code: string,
  guardrail: Guardrail | undefined,
  numbers: Reason['numbers'],
  message: string,
): Reason {
  const reason: Reason = { code, incidentId: j.inc.id, service: j.inc.service, numbers, message };
  // Set only when known, so the reason stays plain JSON (no undefined fields).
  if (j.policy !== null) reason.policy = j.policy.name;
  if (guardrail !== undefined) reason.guardrail = guardrail;
  return reason;
}
