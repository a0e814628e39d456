import type { Draft } from '../draft.ts';
import { elapsed, plural } from '../format.ts';
import { without } from '../records.ts';
import type { IncidentState, ServiceState } from '../state.ts';
import type { Reason } from '../types.ts';

/** Every firing signal resolved: the incident closes, its pages resolve, its requests lapse. */
export function closeIncident(d: Draft, svc: ServiceState, inc: IncidentState): void {
  const healed = inc.attempts > 0;
  const how = healed
    ? 'recovered after heal'
    : inc.linkedVia !== null
      ? `resolved while held for its dependency ${inc.linkedVia} (incident ${inc.linkedTo}), not healed`
      : inc.recoveredWith
        ? `recovered with its dependency ${inc.recoveredWith}, not healed`
        : 'resolved on its own';
  const reason = d.reason({
    code: healed ? 'recovered' : 'resolved',
    incidentId: inc.id,
    service: inc.service,
    ...(inc.policy ? { policy: inc.policy } : {}),
    numbers: { durationMs: d.now - inc.openedAt, attempts: inc.attempts },
    message: `every signal resolved after ${elapsed(d.now - inc.openedAt)}${healed ? ` and ${plural(inc.attempts, 'heal attempt')}` : ''}: ${how}`,
  });
  endIncident(
    d,
    svc,
    inc,
    `${inc.service}: ${how}`,
    healed ? 'recovered-after-heal' : 'resolved',
    reason,
  );
}

/**
 * A runbook run by hand ended (WORDS say how): its incident closes with it, whatever the result;
 * the person who ran it has the answer, and the run's steps are in its journal.
 */
export function closeRunByHand(
  d: Draft,
  svc: ServiceState,
  inc: IncidentState,
  words: string,
): void {
  const reason = d.reason({
    code: 'runbook-run-ended',
    incidentId: inc.id,
    service: inc.service,
    numbers: { durationMs: d.now - inc.openedAt, attempts: inc.attempts },
    message: `${words}; incident closed`,
  });
  endIncident(
    d,
    svc,
    inc,
    `${inc.service}: ${words}`,
    inc.healed ? 'recovered-after-heal' : 'resolved',
    reason,
  );
}

function endIncident(
  d: Draft,
  svc: ServiceState,
  inc: IncidentState,
  summary: string,
  how: 'resolved' | 'recovered-after-heal',
  reason: Reason,
): void {
  resolvePages(d, inc, summary);
  if (inc.approval !== null) {
    d.state.approvals = without(d.state.approvals, inc.approval);
    d.emit({
      type: 'approval',
      incidentId: inc.id,
      at: d.now,
      approvalId: inc.approval,
      verdict: 'cancelled',
    });
  }
  if (d.state.queue.some((entry) => entry.incident === inc.id)) {
    d.state.queue = d.state.queue.filter((entry) => entry.incident !== inc.id);
  }
  svc.incidents = svc.incidents.filter((open) => open !== inc);
  d.emit({
    type: 'resolved',
    incidentId: inc.id,
    at: d.now,
    how,
    attempts: inc.attempts,
    reason,
  });
}

/** Resolve the incident's open pages and its runbooks' notices (it closed). */
function resolvePages(d: Draft, inc: IncidentState, summary: string): void {
  for (const id of [...inc.pages, ...(inc.notices ?? [])]) {
    // Its own key: resolving is a second delivery about the same page, not a repeat of it.
    d.commands.push({
      kind: 'resolvePage',
      id,
      idempotencyKey: `${id}:resolve`,
      target: inc.id,
      summary,
    });
  }
  inc.pages = [];
  if (inc.notices !== undefined) inc.notices = [];
}
