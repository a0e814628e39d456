import { healEnded } from '../breaker.ts';
import { escalation } from '../commands/page.ts';
import type { Draft } from '../draft.ts';
import { elapsed, iso } from '../format.ts';
import { noteVerifiedHeal } from '../incidents/chronic-heals.ts';
import { closeRunByHand } from '../incidents/close-incident.ts';
import { applyRuling } from '../judge/apply.ts';
import { drainQueue, rejudgeBlocked } from '../judge/follow-ups.ts';
import { judge } from '../judge/judge.ts';
import { judging, reasonOf } from '../judge/judging.ts';
import { without } from '../records.ts';
import { type IncidentState, type InFlight, incidentOf, type ServiceState } from '../state.ts';
import { tableGet, tableSet } from '../table.ts';
import type { OutcomeInput } from '../types.ts';

/** A heal ended: free the service and the slot, update the breaker, judge what it unblocks. */
export function onOutcome(d: Draft, input: OutcomeInput): void {
  const flight = tableGet(d.state.inFlight, input.commandId);
  if (flight === undefined) {
    d.reason({
      code: 'unknown-command',
      numbers: {},
      message: `outcome for ${input.commandId}, which is not in flight (unknown, or already reported): ignored`,
    });
    return;
  }
  releaseSlot(d, input.commandId, flight);
  const svc = d.service(flight.service);
  svc.busy = null;
  svc.lastAttemptEndAt = d.now;
  const ok = input.result === 'succeeded';
  const refused = input.result === 'failed' && input.refused === true;
  // Nothing ran on the service: a refusal is not a failure of it (no backoff for its next heal).
  if (!refused) svc.failures = ok ? 0 : svc.failures + 1;
  const reopened = endTrial(d, svc, flight, input.commandId, ok);
  d.emit({
    type: 'outcome',
    incidentId: flight.incidentId,
    at: d.now,
    commandId: input.commandId,
    result: input.result,
    ...(input.detail !== undefined ? { detail: input.detail } : {}),
    ...(refused ? { refused: true as const } : {}),
  });
  const inc = incidentOf(svc, flight.incidentId);
  // Before judging what comes next, so that a page it leads to already says "chronic".
  if (ok) noteVerifiedHeal(d, svc, flight.service, flight.incidentId, inc);
  const said = `${input.commandId} (${flight.runbook})`;
  const took = `after ${elapsed(d.now - flight.startedAt)}${input.detail ? `: ${input.detail}` : ''}`;
  if (inc === undefined) {
    d.reason({
      code: 'outcome',
      incidentId: flight.incidentId,
      service: flight.service,
      policy: flight.policy,
      numbers: { durationMs: d.now - flight.startedAt },
      message: `heal ${said} ${input.result} ${took}; its incident had already closed${reopened}`,
    });
  } else if (inc.manual) {
    inc.healing = null;
    if (ok) inc.healed = true;
    closeRunByHand(
      d,
      svc,
      inc,
      `runbook ${flight.runbook} run by hand by ${inc.manual.actor}: ${input.result} ${took}`,
    );
  } else {
    inc.healing = null;
    if (ok) inc.healed = true;
    inc.phase = 'waiting';
    if (input.result === 'unknown') escalateUnknown(d, svc, inc, flight, `${said} unknown ${took}`);
    else if (refused)
      escalateRefused(d, svc, inc, flight, `heal ${said} refused by its runbook ${took}`);
    else {
      const j = judging(d, flight.service, inc);
      const result = ok ? 'succeeded (verified healthy)' : 'failed';
      d.reason(
        reasonOf(
          j,
          'outcome',
          undefined,
          { durationMs: d.now - flight.startedAt, failures: svc.failures },
          `heal ${said} ${result} ${took}${reopened}`,
        ),
      );
      judge(d, flight.service, inc.id);
    }
  }
  rejudgeBlocked(d, flight.service, 'service-busy');
  drainQueue(d);
}

function releaseSlot(d: Draft, commandId: string, flight: InFlight): void {
  d.state.inFlight = tableSet(d.state.inFlight, commandId, undefined);
  d.state.inFlightCount--;
  const left = (d.state.inFlightByPolicy[flight.policy] ?? 1) - 1;
  d.state.inFlightByPolicy =
    left === 0
      ? without(d.state.inFlightByPolicy, flight.policy)
      : { ...d.state.inFlightByPolicy, [flight.policy]: left };
}

/** The breaker moves if this heal was its half-open trial; returns what the reason adds then. */
function endTrial(
  d: Draft,
  svc: ServiceState,
  flight: InFlight,
  commandId: string,
  ok: boolean,
): string {
  const breaker = svc.breakers[flight.runbook];
  if (breaker === undefined || breaker.trial !== commandId) return '';
  const windowMs = d.compiled.byName.get(flight.policy)?.config.windowMs ?? 3_600_000;
  const next = healEnded(breaker, commandId, ok, d.now, windowMs);
  svc.breakers[flight.runbook] = next;
  if (next.state !== 'open') return '';
  return `; the half-open trial failed: breaker ${flight.service}/${flight.runbook} open again until ${iso(next.openUntil!)}`;
}

/**
 * The runbook refused the heal before anything ran (its params, or a step's rendered value): the
 * same heal would be refused the same way, so it is not retried; a human is paged with why.
 */
function escalateRefused(
  d: Draft,
  svc: ServiceState,
  inc: IncidentState,
  flight: InFlight,
  words: string,
): void {
  const j = judging(d, flight.service, inc);
  const page = escalation(j, j.policy?.config.escalate.notifiers ?? []);
  const reason = reasonOf(
    j,
    'outcome-refused',
    undefined,
    { durationMs: d.now - flight.startedAt },
    `${words}: not retrying (the same heal would be refused again); ${page.words}`,
  );
  applyRuling(d, svc, inc, {
    kind: 'block',
    verdict: 'escalate',
    phase: 'escalated',
    blockedBy: 'refused',
    reason,
    effects: page.effects(reason),
  });
}

/** A step may not be idempotent: an unknown outcome is never retried, a human is paged. */
function escalateUnknown(
  d: Draft,
  svc: ServiceState,
  inc: IncidentState,
  flight: InFlight,
  words: string,
): void {
  const j = judging(d, flight.service, inc);
  const page = escalation(j, j.policy?.config.escalate.notifiers ?? []);
  const reason = reasonOf(
    j,
    'outcome-unknown',
    undefined,
    { durationMs: d.now - flight.startedAt },
    `outcome of ${words}: not retrying (a step may not be idempotent); ${page.words}`,
  );
  applyRuling(d, svc, inc, {
    kind: 'block',
    verdict: 'escalate',
    phase: 'escalated',
    blockedBy: 'outcome-unknown',
    reason,
    effects: page.effects(reason),
  });
}
