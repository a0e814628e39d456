import { healStarted } from '../breaker.ts';
import { healCommand, renderParams } from '../commands/heal-command.ts';
import { escalation } from '../commands/page.ts';
import type { CompiledRung } from '../compile.ts';
import { duration, iso, list } from '../format.ts';
import { breakerOf } from '../heal-gates.ts';
import { tableSet } from '../table.ts';
import type { HealCommand, Reason } from '../types.ts';
import type { Block, Judging } from './judging.ts';
import { reasonOf } from './judging.ts';

/**
 * The last steps before a heal, once every guardrail agreed: render the parameters, then in
 * shadow or dry-run mode say what would happen, else ask for approval if needed, else heal.
 */
export function heal(j: Judging): Block {
  const { inc } = j;
  const policy = j.policy!;
  const config = policy.config;
  const rung = policy.rungs[inc.rung]!;
  const rendered = renderParams(j, rung);
  if ('missing' in rendered) return paramsError(j, rung, rendered.missing);
  const attempt = inc.attempts + 1;
  const command = healCommand(j, rung, rendered.params, attempt);
  const breaker = breakerOf(j, rung.runbook);
  const used = breaker.attempts.length + 1;
  const rungWords =
    policy.rungs.length > 1
      ? `; rung ${inc.rung + 1} of ${policy.rungs.length}${rung.deadlineMs !== null ? `, deadline ${duration(rung.deadlineMs)}` : ''}`
      : '';
  const trial = breaker.state === 'half-open' ? '; breaker half-open: one trial' : '';
  const what = `${inc.service} with ${rung.runbook} (attempt ${used} of ${config.maxAttempts} within ${duration(config.windowMs)}${rungWords}${trial})`;
  const numbers = {
    attempt,
    windowAttempt: used,
    maxAttempts: config.maxAttempts,
    windowMs: config.windowMs,
    rung: inc.rung,
  };
  if (j.mode !== null) {
    const after = config.requireApproval ? ' after approval' : '';
    const message = `${j.mode}: would heal ${what}${after}; nothing runs`;
    const reason = reasonOf(j, j.mode, j.mode, numbers, message);
    return { verdict: 'would-heal', phase: 'observing', blockedBy: j.mode, reason };
  }
  if (config.requireApproval !== null && inc.approvedAttempt !== attempt) {
    return requestApproval(j, command, what, numbers);
  }
  return emitHeal(j, command, reasonOf(j, 'heal', undefined, numbers, `healing ${what}`));
}

/** A template with no value for this signal: never heal with a blank argument; page. */
function paramsError(j: Judging, rung: CompiledRung, missing: string): Block {
  const page = escalation(j, j.policy!.config.escalate.notifiers);
  const reason = reasonOf(
    j,
    'params-error',
    undefined,
    { missing },
    `cannot heal ${j.inc.service} with ${rung.runbook}: {{${missing}}} has no value for this signal; ${page.words}`,
  );
  return {
    verdict: 'escalate',
    phase: 'escalated',
    blockedBy: 'params',
    reason,
    commandIds: page.emit(reason),
  };
}

function requestApproval(
  j: Judging,
  command: HealCommand,
  what: string,
  numbers: Reason['numbers'],
): Block {
  const { d, inc } = j;
  const config = j.policy!.config;
  const expiresAfterMs = config.requireApproval!.expiresAfterMs;
  const approvalId = `${inc.id}:approval:${command.attempt}`;
  const expiresAt = d.now + expiresAfterMs;
  const reason = reasonOf(
    j,
    'approval-required',
    'approval',
    { ...numbers, expiresAt },
    `approval required to heal ${what}: mend approve ${approvalId} before ${iso(expiresAt)} (expires after ${duration(expiresAfterMs)}; then ${list(config.escalate.notifiers)} paged)`,
  );
  d.commands.push({
    kind: 'requestApproval',
    approvalId,
    idempotencyKey: approvalId,
    incidentId: inc.id,
    expiresAt,
    heal: command,
    reason,
  });
  d.shared('approvals')[approvalId] = {
    incidentId: inc.id,
    service: inc.service,
    attempt: command.attempt,
    expiresAt,
  };
  d.addTimer({ at: expiresAt, kind: 'approval', approval: approvalId });
  inc.approval = approvalId;
  return {
    verdict: 'request-approval',
    phase: 'awaiting-approval',
    blockedBy: 'approval',
    reason,
    commandIds: [approvalId],
  };
}

/** The heal: counted against the breaker, holding the service and a concurrency slot. */
function emitHeal(j: Judging, command: HealCommand, reason: Reason): Block {
  const { d, inc, svc } = j;
  const breaker = breakerOf(j, command.runbook);
  const halfOpenTrial = breaker.state === 'half-open';
  d.commands.push(command);
  inc.attempts = command.attempt;
  inc.healing = command.id;
  inc.rungStartedAt ??= d.now;
  svc.busy = command.id;
  svc.breakers[command.runbook] = healStarted(breaker, command.id, d.now);
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
  return { verdict: 'heal', phase: 'healing', blockedBy: 'none', reason, commandIds: [command.id] };
}
