import type { Draft } from '../draft.ts';
import { flagIfChronic } from '../incidents/chronic-heals.ts';
import { newIncident } from '../incidents/open-incident.ts';
import { applyRuling } from '../judge/apply.ts';
import type { HealCommand, RunbookRunInput } from '../types.ts';

/** The policy name a run by hand is counted under: not a valid Policy name, so never one. */
export const BY_HAND = '(by hand)';

/**
 * An operator runs a runbook by hand: an incident of its own, healing now. Only one heal per
 * service at a time still holds (the shell refuses the request while one runs; here, a request
 * that raced one is said and dropped), and the global concurrency count includes it.
 */
export function onRunbookRun(d: Draft, input: RunbookRunInput): void {
  const busy = d.peek(input.service)?.busy ?? null;
  if (busy !== null) {
    d.reason({
      code: 'runbook-run-busy',
      service: input.service,
      guardrail: 'service-concurrency',
      numbers: { request: input.request },
      message: `runbook ${input.runbook} on ${input.service} by ${input.actor}: not run, heal ${busy} is in flight on the service`,
    });
    return;
  }
  const svc = d.service(input.service);
  const inc = newIncident(d, svc, {
    service: input.service,
    groupKey: `manual:${input.request}`,
    group: { service: input.service },
    since: d.now,
  });
  inc.manual = { actor: input.actor, request: input.request };
  // Runs by hand are heals too: a chronic service says so on this incident as on any other.
  if (svc.heals !== undefined) flagIfChronic(d, svc, inc.service, inc.id, inc);
  const id = `${inc.id}:heal:1`;
  const command: HealCommand = {
    kind: 'heal',
    id,
    idempotencyKey: id,
    incidentId: inc.id,
    service: input.service,
    runbook: input.runbook,
    params: input.params,
    policy: BY_HAND,
    rung: 0,
    attempt: 1,
    actor: input.actor,
  };
  applyRuling(d, svc, inc, {
    kind: 'block',
    verdict: 'heal',
    phase: 'healing',
    blockedBy: 'manual-run',
    reason: {
      code: 'runbook-run',
      incidentId: inc.id,
      service: input.service,
      numbers: { request: input.request },
      message: `runbook ${input.runbook} run by hand on ${input.service} by ${input.actor} (operator request ${input.request}); policies and budgets do not apply`,
    },
    effects: [{ kind: 'heal', command, halfOpenTrial: false }],
  });
}
