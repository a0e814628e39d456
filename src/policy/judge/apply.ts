import type { Draft } from '../draft.ts';
import type { IncidentState, ServiceState } from '../state.ts';
import { tableSet } from '../table.ts';
import type { HealCommand, RequestApprovalCommand } from '../types.ts';
import { type Effect, NO_EFFECTS, type Ruling } from './ruling.ts';

/**
 * The one place a ruling changes the decision in progress: the incident, its service, shared
 * state, and what the decision says (reasons, events, commands). Guardrails only read and rule;
 * input handlers that decide about an incident themselves (an outcome, an approval) come here too.
 */
export function applyRuling(d: Draft, svc: ServiceState, inc: IncidentState, ruling: Ruling): void {
  if (ruling.kind === 'pass') {
    for (const effect of ruling.effects) applyEffect(d, svc, inc, effect);
    return;
  }
  d.reason(ruling.reason);
  const commandIds: string[] = [];
  for (const effect of ruling.effects ?? NO_EFFECTS) {
    const id = applyEffect(d, svc, inc, effect);
    if (id !== null) commandIds.push(id);
  }
  if (inc.phase === 'queued' && ruling.phase !== 'queued') {
    d.state.queue = d.state.queue.filter((entry) => entry.incident !== inc.id);
  }
  inc.phase = ruling.phase;
  inc.blockedBy = ruling.blockedBy;
  if (ruling.wakeAt !== undefined) d.wake(inc, ruling.wakeAt);
  d.emit({
    type: 'decision',
    incidentId: inc.id,
    at: d.now,
    verdict: ruling.verdict,
    reason: ruling.reason,
    commandIds,
  });
}

/** Returns the id of the command the effect sent, or null. */
function applyEffect(
  d: Draft,
  svc: ServiceState,
  inc: IncidentState,
  effect: Effect,
): string | null {
  switch (effect.kind) {
    case 'note':
      d.reason(effect.reason);
      return null;
    case 'incident':
      Object.assign(inc, effect.set);
      return null;
    case 'event':
      d.emit(effect.event);
      return null;
    case 'held-by-dependency': {
      const dependency = d.service(effect.service);
      if (!dependency.held.includes(inc.service))
        dependency.held = [...dependency.held, inc.service];
      return null;
    }
    case 'held-by-blast': {
      const blast = d.blast(effect.policy);
      if (!blast.held.includes(inc.service)) blast.held = [...blast.held, inc.service];
      return null;
    }
    case 'breaker':
      svc.breakers[effect.runbook] = effect.breaker;
      return null;
    case 'enqueue':
      d.shared('queue').push({ service: inc.service, incident: inc.id });
      return null;
    case 'page':
      d.commands.push(effect.command);
      inc.pages.push(effect.command.id);
      return effect.command.id;
    case 'group-page':
      d.blast(effect.policy).page = effect.command.id;
      d.state.nextGroupPage++;
      d.commands.push(effect.command);
      return effect.command.id;
    case 'preview':
      d.commands.push(effect.command);
      inc.previewed = effect.command.id;
      return effect.command.id;
    case 'request-approval':
      return requestApproval(d, inc, effect.command);
    case 'heal':
      return startHeal(d, svc, inc, effect.command, effect.halfOpenTrial);
  }
}

/** A human is asked; the request expires on its own timer. */
function requestApproval(d: Draft, inc: IncidentState, command: RequestApprovalCommand): string {
  const { approvalId, expiresAt } = command;
  d.commands.push(command);
  d.shared('approvals')[approvalId] = {
    incidentId: inc.id,
    service: inc.service,
    attempt: command.heal.attempt,
    expiresAt,
  };
  d.addTimer({ at: expiresAt, kind: 'approval', approval: approvalId });
  inc.approval = approvalId;
  return approvalId;
}

/** The heal holds the service and a concurrency slot until its outcome comes back. */
function startHeal(
  d: Draft,
  svc: ServiceState,
  inc: IncidentState,
  command: HealCommand,
  halfOpenTrial: boolean,
): string {
  d.commands.push(command);
  inc.attempts = command.attempt;
  inc.healing = command.id;
  inc.rungStartedAt ??= d.now;
  svc.busy = command.id;
  d.state.inFlight = tableSet(d.state.inFlight, command.id, {
    incidentId: inc.id,
    service: inc.service,
    policy: command.policy,
    runbook: command.runbook,
    startedAt: d.now,
    halfOpenTrial,
  });
  d.state.inFlightCount++;
  const byPolicy = d.shared('inFlightByPolicy');
  byPolicy[command.policy] = (byPolicy[command.policy] ?? 0) + 1;
  return command.id;
}
