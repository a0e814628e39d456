import { duration, iso } from '../format.ts';
import { reasonOf } from '../judge/judging.ts';
import type { Gate } from '../judge/ruling.ts';

/** Cooldown between attempts on a service, doubled per failure in a row when backoff is set. */
export const cooldown: Gate = (j) => {
  const { svc, d, inc } = j;
  if (svc.lastAttemptEndAt === null) return null;
  const { cooldownMs, backoff } = j.policy!.config;
  let waitMs = cooldownMs;
  let words = `cooldown ${duration(cooldownMs)}`;
  if (backoff !== null && svc.failures > 0) {
    // kubelet doubles from 10s; with no cooldown, double from 1s.
    const base = Math.max(cooldownMs, 1000);
    waitMs = Math.min(base * 2 ** Math.min(svc.failures - 1, 40), backoff.maxMs);
    words = `backoff ${duration(waitMs)} after ${svc.failures} failed attempt${svc.failures === 1 ? '' : 's'} in a row (${duration(base)} doubled, max ${duration(backoff.maxMs)})`;
  }
  const readyAt = svc.lastAttemptEndAt + waitMs;
  if (d.now >= readyAt) return null;
  const rung = j.policy!.rungs[inc.rung]!;
  // Woken at the rung's deadline too, so the ladder can move on while the cooldown runs.
  const deadline =
    rung.deadlineMs !== null && inc.rungStartedAt !== null
      ? inc.rungStartedAt + rung.deadlineMs
      : Number.POSITIVE_INFINITY;
  return {
    kind: 'block',
    verdict: 'wait',
    phase: 'waiting',
    blockedBy: 'cooldown',
    wakeAt: Math.min(readyAt, deadline),
    reason: reasonOf(
      j,
      'cooldown',
      backoff !== null && svc.failures > 0 ? 'backoff' : 'cooldown',
      { lastAttemptEndAt: svc.lastAttemptEndAt, waitMs, readyAt, failures: svc.failures },
      `waiting: last attempt on ${inc.service} ended at ${iso(svc.lastAttemptEndAt)}; ${words}: next attempt at ${iso(readyAt)}`,
    ),
  };
};
