import { healEnded } from '../breaker.ts';
import { escalation } from '../commands/page.ts';
import type { Draft } from '../draft.ts';
import { duration, iso } from '../format.ts';
import { noteVerifiedHeal } from '../incidents/chronic-heals.ts';
import { drainQueue, rejudgeBlocked } from '../judge/follow-ups.ts';
import { judge } from '../judge/judge.ts';
import { judging, reasonOf } from '../judge/judging.ts';
import { without } from '../records.ts';
import { incidentOf } from '../state.ts';
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
  d.state.inFlight = tableSet(d.state.inFlight, input.commandId, undefined);
  d.state.inFlightCount--;
  const left = (d.state.inFlightByPolicy[flight.policy] ?? 1) - 1;
  d.state.inFlightByPolicy =
    left === 0
      ? without(d.state.inFlightByPolicy, flight.policy)
      : { ...d.state.inFlightByPolicy, [flight.policy]: left };
  const svc = d.service(flight.service);
  svc.busy = null;
  svc.lastAttemptEndAt = d.now;
  const ok = input.result === 'succeeded';
  svc.failures = ok ? 0 : svc.failures + 1;
  const breaker = svc.breakers[flight.runbook];
  let reopened = '';
  if (breaker !== undefined && breaker.trial === input.commandId) {
    const windowMs = d.compiled.byName.get(flight.policy)?.config.windowMs ?? 3_600_000;
    const next = healEnded(breaker, input.commandId, ok, d.now, windowMs);
    svc.breakers[flight.runbook] = next;
    if (next.state === 'open') {
      reopened = `; the half-open trial failed: breaker ${flight.service}/${flight.runbook} open again until ${iso(next.openUntil!)}`;
    }
  }
  const detail = input.detail ? `: ${input.detail}` : '';
  d.emit({
    type: 'outcome',
    incidentId: flight.incidentId,
    at: d.now,
    commandId: input.commandId,
    result: input.result,
    ...(input.detail !== undefined ? { detail: input.detail } : {}),
  });
  const inc = incidentOf(svc, flight.incidentId);
  // Before judging what comes next, so that a page it leads to already says "chronic".
  if (ok) noteVerifiedHeal(d, svc, flight.service, flight.incidentId, inc);
  const took = duration(d.now - flight.startedAt);
  if (inc === undefined) {
    d.reason({
      code: 'outcome',
      incidentId: flight.incidentId,
      service: flight.service,
      policy: flight.policy,
      numbers: { durationMs: d.now - flight.startedAt },
      message: `heal ${input.commandId} (${flight.runbook}) ${input.result} after ${took}${detail}; its incident had already closed${reopened}`,
    });
  } else {
    inc.healing = null;
    if (ok) inc.healed = true;
    inc.phase = 'waiting';
    const j = judging(d, flight.service, inc);
    if (input.result === 'unknown') {
      const page = escalation(j, j.policy?.config.escalate.notifiers ?? []);
      const reason = reasonOf(
        j,
        'outcome-unknown',
        undefined,
        { durationMs: d.now - flight.startedAt },
        `outcome of ${input.commandId} (${flight.runbook}) unknown after ${took}${detail}: not retrying (a step may not be idempotent); ${page.words}`,
      );
      inc.phase = 'escalated';
      inc.blockedBy = 'outcome-unknown';
      d.emit({
        type: 'decision',
        incidentId: inc.id,
        at: d.now,
        verdict: 'escalate',
        reason,
        commandIds: page.emit(reason),
      });
    } else {
      reasonOf(
        j,
        'outcome',
        undefined,
        { durationMs: d.now - flight.startedAt, failures: svc.failures },
        `heal ${input.commandId} (${flight.runbook}) ${ok ? 'succeeded (verified healthy)' : 'failed'} after ${took}${detail}${reopened}`,
      );
      judge(d, flight.service, inc.id);
    }
  }
  rejudgeBlocked(d, flight.service, 'service-busy');
  drainQueue(d);
}
