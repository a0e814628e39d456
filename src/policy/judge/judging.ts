import { type CompiledPolicy, type CompiledService, serviceOf } from '../compile.ts';
import type { Draft } from '../draft.ts';
import {
  type IncidentState,
  type Phase,
  type ServiceState,
  type SignalRecord,
  signalOf,
} from '../state.ts';
import type { Guardrail, Reason, Verdict } from '../types.ts';

/** Everything a guardrail needs to judge one incident. */
export interface Judging {
  d: Draft;
  svc: ServiceState;
  inc: IncidentState;
  service: CompiledService;
  /** The deciding policy; null when none matched (or it is gone after a reload). */
  policy: CompiledPolicy | null;
  /** The signal that brought the policy (or the first firing one): templates and silences read it. */
  lead: SignalRecord | undefined;
  /** Global dry-run, the policy's dry-run, or its shadow mode: decide, run nothing. */
  mode: 'shadow' | 'dry-run' | null;
}

/** A guardrail's answer when it stops the pipeline. */
export interface Block {
  verdict: Verdict;
  phase: Phase;
  blockedBy: string;
  reason: Reason;
  /** Judge again then. */
  wakeAt?: number;
  /** Command ids this decision emitted (a page). */
  commandIds?: string[];
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

/** A reason about this incident, recorded in the decision's reasons. */
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
  return j.d.reason(reason);
}
