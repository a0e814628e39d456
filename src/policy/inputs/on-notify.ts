import type { Draft } from '../draft.ts';
import { incidentOf } from '../state.ts';
import { tableGet } from '../table.ts';
import type { NotifyInput } from '../types.ts';

/**
 * A heal's runbook tells people something (a rollback step that says what was tried): a page
 * about the heal's incident, to the notifiers the step names. Not a guardrail decision: the heal
 * was decided already, and a message from it is part of carrying it out.
 */
export function onNotify(d: Draft, input: NotifyInput): void {
  const flight = tableGet(d.state.inFlight, input.commandId);
  const to = input.notifiers.join(', ');
  if (flight === undefined) {
    d.reason({
      code: 'unknown-command',
      numbers: {},
      message: `notify step of ${input.commandId}, which is not in flight (unknown, or already ended): nothing sent to ${to}`,
    });
    return;
  }
  const reason = d.reason({
    code: 'runbook-notify',
    incidentId: flight.incidentId,
    service: flight.service,
    numbers: {},
    message: `runbook of ${input.commandId} notifies ${to}: ${input.message}`,
  });
  // Kept apart from the incident's pages (a notice is not the escalation: "already paged" must
  // not hold one back) and resolved with them when it closes: a page a runbook sent must not
  // stay open in PagerDuty after the incident is over.
  const inc = incidentOf(d.service(flight.service), flight.incidentId);
  if (inc !== undefined && !(inc.notices ?? []).includes(input.key)) {
    inc.notices = [...(inc.notices ?? []), input.key];
  }
  d.commands.push({
    kind: 'page',
    id: input.key,
    idempotencyKey: input.key,
    target: flight.incidentId,
    incidentIds: [flight.incidentId],
    notifiers: [...input.notifiers],
    summary: input.message,
    reason,
  });
}
