import type { Signal } from '../../signals/signal.ts';
import { serviceOf } from '../compile.ts';
import type { Draft } from '../draft.ts';
import { iso } from '../format.ts';
import { flagIfChronic } from '../incidents/chronic-heals.ts';
import { closeIncident } from '../incidents/close-incident.ts';
import { openIncident, signalRecord } from '../incidents/open-incident.ts';
import { type Selection, selectPolicies } from '../incidents/select-policies.ts';
import { changeFiring } from '../incidents/service-health.ts';
import { healthHooks } from '../judge/follow-ups.ts';
import { judge } from '../judge/judge.ts';
import { type IncidentState, incidentOf, type ServiceState, signalOf } from '../state.ts';
import type { Reason } from '../types.ts';

/** A signal fired or resolved: group it into an incident, pick the deciding policy, judge. */
export function onSignal(d: Draft, signal: Signal): void {
  if (signal.status === 'firing') fire(d, signal);
  else resolve(d, signal);
}

function fire(d: Draft, signal: Signal): void {
  const already = signalOf(d.peek(signal.service), signal.fingerprint);
  if (already !== undefined) {
    d.reason({
      code: 'repeated',
      incidentId: already.incidentId,
      service: signal.service,
      numbers: { since: already.at },
      message: `signal ${signal.fingerprint} already firing since ${iso(already.at)} (incident ${already.incidentId}): nothing new`,
    });
    return;
  }
  const svc = d.service(signal.service);
  const inc = openIncident(d, svc, signal);
  const record = signalRecord(d, signal, inc.id);
  const service = serviceOf(d.compiled, signal.service);
  const context = () => ({
    id: inc.id,
    signals: BigInt(inc.firing.length + 1),
    openedAt: BigInt(Math.trunc(inc.openedAt)),
    attempts: BigInt(inc.attempts),
  });
  const selection = selectPolicies(service, record, context);
  record.policies = selection.matched.map((policy) => policy.name);
  svc.signals = [...svc.signals, record];
  inc.firing.push(record.fingerprint);
  d.emit({
    type: 'signal',
    incidentId: inc.id,
    at: d.now,
    fingerprint: record.fingerprint,
    status: 'firing',
    ...(record.check !== null ? { check: record.check } : {}),
    summary: signal.summary,
  });
  // A new incident of a service that is already chronic says so before anything is decided.
  if (svc.heals !== undefined && inc.firing.length === 1) {
    flagIfChronic(d, svc, inc.service, inc.id, inc);
  }
  noteWhenErrors(d, inc, selection.whenErrors);
  countMatching(svc, selection.matched, signal.at);
  changeFiring(d, signal.service, 1, healthHooks(d));
  decideIncidentPolicy(d, inc, selection.matched, signal.at);
}

function noteWhenErrors(d: Draft, inc: IncidentState, errors: Selection['whenErrors']): void {
  for (const error of errors) {
    d.reason({
      code: 'when-error',
      incidentId: inc.id,
      service: inc.service,
      policy: error.policy,
      numbers: {},
      message: `policy ${error.policy} not matched: its when failed on this signal (${error.message})`,
    });
  }
}

/** For `count`: the times of signals each policy matched, within its window. */
function countMatching(svc: ServiceState, matched: Selection['matched'], at: number): void {
  for (const policy of matched) {
    const count = policy.config.count;
    if (count === null) continue;
    const since = at - count.withinMs;
    const times = (svc.counts[policy.name] ?? []).filter((time) => time > since);
    svc.counts = { ...svc.counts, [policy.name]: [...times, at] };
  }
}

/**
 * Exactly one policy decides an incident: the highest precedence among those its signals
 * matched. A later signal matching a higher one hands the incident over; the rest are recorded
 * as matched with lower precedence.
 */
function decideIncidentPolicy(
  d: Draft,
  inc: IncidentState,
  matched: Selection['matched'],
  at: number,
): void {
  const best = matched[0];
  const current = inc.policy === null ? undefined : d.compiled.byName.get(inc.policy);
  const fresh = inc.firing.length === 1;
  const takesOver = best !== undefined && (current === undefined || best.rank < current.rank);
  const others = matched
    .slice(takesOver ? 1 : 0)
    .map((p) => `${p.name} (priority ${p.config.priority})`);
  const lower = others.length > 0 ? `; also matched, lower precedence: ${others.join(', ')}` : '';
  let message: string;
  if (takesOver) {
    const replaced =
      inc.policy === null ? '' : `; takes over from ${inc.policy} (lower precedence)`;
    message = `policy ${best.name} decides (priority ${best.config.priority})${lower}${replaced}`;
  } else if (current !== undefined) {
    message = `incident already decided by ${current.name} (priority ${current.config.priority})${lower}`;
  } else {
    message = 'no policy matched';
  }
  const reason: Reason = d.reason({
    code: 'matched',
    incidentId: inc.id,
    service: inc.service,
    ...(takesOver ? { policy: best.name } : current ? { policy: current.name } : {}),
    numbers: { matched: matched.length },
    message,
  });
  d.emit({
    type: 'matched',
    incidentId: inc.id,
    at: d.now,
    policy: takesOver ? best.name : (inc.policy ?? null),
    others: matched
      .filter((p) => p.name !== (takesOver ? best.name : inc.policy))
      .map((p) => p.name),
    reason,
  });
  if (takesOver) {
    inc.policy = best.name;
    inc.lead = inc.firing[inc.firing.length - 1]!;
    inc.since = at;
    inc.counted = false;
    if (inc.phase !== 'healing' && inc.phase !== 'awaiting-approval') inc.phase = 'pending';
    judge(d, inc.service, inc.id);
  } else if (fresh || (inc.phase === 'counting' && best?.name === inc.policy)) {
    judge(d, inc.service, inc.id);
  }
}

function resolve(d: Draft, signal: Signal): void {
  const record = signalOf(d.peek(signal.service), signal.fingerprint);
  if (record === undefined) {
    d.reason({
      code: 'unknown-signal',
      service: signal.service,
      numbers: {},
      message: `resolved signal ${signal.fingerprint} of ${signal.service} was not firing: ignored`,
    });
    return;
  }
  const svc = d.service(signal.service);
  svc.signals = svc.signals.filter((s) => s.fingerprint !== signal.fingerprint);
  const inc = incidentOf(svc, record.incidentId)!;
  inc.firing = inc.firing.filter((fingerprint) => fingerprint !== signal.fingerprint);
  if (inc.lead === signal.fingerprint) inc.lead = inc.firing[0] ?? null;
  d.emit({
    type: 'signal',
    incidentId: inc.id,
    at: d.now,
    fingerprint: signal.fingerprint,
    status: 'resolved',
    ...(record.check !== null ? { check: record.check } : {}),
    summary: signal.summary,
  });
  if (inc.firing.length === 0) closeIncident(d, svc, inc);
  changeFiring(d, signal.service, -1, healthHooks(d));
}
