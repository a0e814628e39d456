import { escalation, healCommand, renderParams } from './act.ts';
import type { Draft } from './draft.ts';
import { duration, iso, list } from './format.ts';
import { blastRadius, counted, dependencyDown, noPolicy, pending, silenced } from './gates.ts';
import { breaker, breakerOf, concurrency, cooldown, ladder, serviceBusy } from './heal-gates.ts';
import { type Block, type Judging, judging, reasonOf } from './judging.ts';
import { incidentOf } from './state.ts';
import { tableSet } from './table.ts';

/** The guardrails every incident passes, in order: the first that blocks decides. */
const GATES: ReadonlyArray<(j: Judging) => Block | null> = [
  silenced,
  dependencyDown,
  noPolicy,
  pending,
  counted,
  blastRadius,
];

/** Phases where a human or a running heal owns the incident: nothing to judge. */
const SETTLED = new Set(['healing', 'awaiting-approval', 'paged', 'escalated', 'denied']);

/**
 * Decide what to do about one open incident now: run the guardrails in order and record the
 * outcome (act, wait, hold, queue, page) with its reason on the incident's timeline.
 */
export function judge(d: Draft, service: string, incidentId: string): void {
  const inc = incidentOf(d.service(service), incidentId);
  if (inc === undefined || SETTLED.has(inc.phase)) return;
  const wasQueued = inc.phase === 'queued';
  // Any timer set earlier is stale from here on; a block below may set a new one.
  inc.wakeAt = null;
  const j = judging(d, service, inc);
  const block = GATES.reduce<Block | null>((found, gate) => found ?? gate(j), null) ?? act(j);
  if (block !== null) apply(j, block);
  if (wasQueued && inc.phase !== 'queued') {
    d.state.queue = d.state.queue.filter((entry) => entry.incident !== inc.id);
  }
}

function apply(j: Judging, block: Block): void {
  const { d, inc } = j;
  inc.phase = block.phase;
  inc.blockedBy = block.blockedBy;
  if (block.wakeAt !== undefined) d.wake(inc, block.wakeAt);
  d.emit({
    type: 'decision',
    incidentId: inc.id,
    at: d.now,
    verdict: block.verdict,
    reason: block.reason,
    commandIds: block.commandIds ?? [],
  });
}

/** The policy's action, behind the heal guardrails. Returns the block, or null after a heal. */
function act(j: Judging): Block | null {
  const policy = j.policy!;
  const { action } = policy.config;
  if (action.kind === 'observe') {
    const reason = reasonOf(
      j,
      'observe',
      undefined,
      {},
      `policy ${policy.name} observes only: recorded`,
    );
    return { verdict: 'observe', phase: 'observing', blockedBy: 'observe', reason };
  }
  if (action.kind === 'page') {
    const page = escalation(j, action.notifiers);
    const reason = reasonOf(
      j,
      'page',
      j.mode ?? undefined,
      {},
      `policy ${policy.name} pages: ${j.lead?.summary ?? j.inc.service}; ${page.words}`,
    );
    const verdict = j.mode === null ? 'page' : 'would-page';
    return { verdict, phase: 'paged', blockedBy: 'page', reason, commandIds: page.emit(reason) };
  }
  const blocked = ladder(j) ?? serviceBusy(j);
  if (blocked !== null) return blocked;
  const rung = policy.rungs[j.inc.rung]!;
  // After a failure, an exhausted budget is news now: open the breaker and page at once. After a
  // verified success, the signal usually resolves soon: let the cooldown pass before anything.
  const first =
    j.svc.failures > 0 ? (breaker(j, rung) ?? cooldown(j)) : (cooldown(j) ?? breaker(j, rung));
  return first ?? concurrency(j) ?? heal(j);
}

function heal(j: Judging): Block | null {
  const { d, inc, svc } = j;
  const policy = j.policy!;
  const config = policy.config;
  const rung = policy.rungs[inc.rung]!;
  const rendered = renderParams(j, rung);
  if ('missing' in rendered) {
    const page = escalation(j, config.escalate.notifiers);
    const reason = reasonOf(
      j,
      'params-error',
      undefined,
      { missing: rendered.missing },
      `cannot heal ${inc.service} with ${rung.runbook}: {{${rendered.missing}}} has no value for this signal; ${page.words}`,
    );
    return {
      verdict: 'escalate',
      phase: 'escalated',
      blockedBy: 'params',
      reason,
      commandIds: page.emit(reason),
    };
  }
  const attempt = inc.attempts + 1;
  const command = healCommand(j, rung, rendered.params, attempt);
  const state = breakerOf(j, rung.runbook);
  const used = state.attempts.length + 1;
  const rungWords =
    policy.rungs.length > 1
      ? `; rung ${inc.rung + 1} of ${policy.rungs.length}${rung.deadlineMs !== null ? `, deadline ${duration(rung.deadlineMs)}` : ''}`
      : '';
  const trial = state.state === 'half-open' ? '; breaker half-open: one trial' : '';
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
    const reason = reasonOf(
      j,
      j.mode,
      j.mode,
      numbers,
      `${j.mode}: would heal ${what}${after}; nothing runs`,
    );
    return { verdict: 'would-heal', phase: 'observing', blockedBy: j.mode, reason };
  }
  if (config.requireApproval !== null && inc.approvedAttempt !== attempt) {
    const approvalId = `${inc.id}:approval:${attempt}`;
    const expiresAt = d.now + config.requireApproval.expiresAfterMs;
    const reason = reasonOf(
      j,
      'approval-required',
      'approval',
      { ...numbers, expiresAt },
      `approval required to heal ${what}: mend approve ${approvalId} before ${iso(expiresAt)} (expires after ${duration(config.requireApproval.expiresAfterMs)}; then ${list(config.escalate.notifiers)} paged)`,
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
      attempt,
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
  const reason = reasonOf(j, 'heal', undefined, numbers, `healing ${what}`);
  d.commands.push(command);
  inc.attempts = attempt;
  inc.healing = command.id;
  inc.rungStartedAt ??= d.now;
  svc.busy = command.id;
  if (state.state === 'half-open') state.trial = command.id;
  state.attempts.push(d.now);
  d.state.inFlight = tableSet(d.state.inFlight, command.id, {
    incidentId: inc.id,
    service: inc.service,
    policy: policy.name,
    runbook: rung.runbook,
    startedAt: d.now,
    halfOpenTrial: state.state === 'half-open',
  });
  d.state.inFlightCount++;
  const byPolicy = d.shared('inFlightByPolicy');
  byPolicy[policy.name] = (byPolicy[policy.name] ?? 0) + 1;
  return { verdict: 'heal', phase: 'healing', blockedBy: 'none', reason, commandIds: [command.id] };
}
