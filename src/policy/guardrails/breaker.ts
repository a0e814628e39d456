import { admission, breakerAt } from '../breaker.ts';
import { escalation } from '../commands/page.ts';
import { duration, iso } from '../format.ts';
import { reasonOf } from '../judge/judging.ts';
import { type Effect, type Gate, pass } from '../judge/ruling.ts';

/**
 * Retry budget as a circuit breaker per (service, runbook) (the machine: ../breaker.ts): heal
 * while it admits one; else wait, and page. Time moving the breaker (old attempts forgotten,
 * half-open after the window) is kept even when it admits.
 */
export const breaker: Gate = (j) => {
  const { d, inc } = j;
  const { maxAttempts, windowMs } = j.policy!.config;
  const { runbook } = j.policy!.rungs[inc.rung]!;
  const stored = j.svc.breakers[runbook];
  const current = breakerAt(stored, d.now, windowMs);
  const answer = admission(current, { maxAttempts, windowMs }, d.now);
  const next = !answer.admit && answer.why === 'trips' ? answer.next : current;
  const moved: Effect | null = next === stored ? null : { kind: 'breaker', runbook, breaker: next };
  if (answer.admit) return moved === null ? null : pass(moved);
  const used = current.attempts.length;
  const key = `${inc.service}/${runbook}`;
  const head =
    answer.why === 'trips'
      ? `attempt ${used + 1} of ${maxAttempts} within ${duration(windowMs)}: breaker ${key} open until ${iso(next.openUntil!)}`
      : answer.why === 'open'
        ? `breaker ${key} open until ${iso(next.openUntil!)} (${used} of ${maxAttempts} attempts within ${duration(windowMs)})`
        : `breaker ${key} half-open: trial ${next.trial} in flight`;
  const page = escalation(j, j.policy!.config.escalate.notifiers);
  const reason = reasonOf(
    j,
    'breaker-open',
    'breaker',
    {
      attempts: used,
      maxAttempts,
      windowMs,
      ...(next.openUntil !== null ? { openUntil: next.openUntil } : {}),
    },
    `${head}; ${page.words}`,
  );
  return {
    kind: 'block',
    verdict: 'wait',
    phase: 'waiting',
    blockedBy: 'breaker',
    reason,
    ...(next.openUntil !== null ? { wakeAt: next.openUntil } : {}),
    effects: moved === null ? page.effects(reason) : [moved, ...page.effects(reason)],
  };
};
