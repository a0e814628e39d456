import { admission, breakerAt } from './breaker.ts';
import { escalation } from './commands/page.ts';
import type { CompiledRung } from './compile.ts';
import { duration, iso } from './format.ts';
import type { Block, Judging } from './judge/judging.ts';
import { reasonOf } from './judge/judging.ts';
import type { BreakerState } from './state.ts';

/** The guardrails between a heal policy and its heal, in the order they are asked. */

/** Escalation ladder: past a rung's deadline go to the next rung; past the last one, page. */
export function ladder(j: Judging): Block | null {
  const { inc, d } = j;
  const rungs = j.policy!.rungs;
  const rung = rungs[inc.rung]!;
  if (rung.deadlineMs === null || inc.rungStartedAt === null) return null;
  const deadline = inc.rungStartedAt + rung.deadlineMs;
  if (d.now < deadline) return null;
  if (inc.rung + 1 < rungs.length) {
    reasonOf(
      j,
      'ladder-next',
      'ladder',
      { rung: inc.rung + 2, rungs: rungs.length, deadlineMs: rung.deadlineMs },
      `still failing ${duration(rung.deadlineMs)} after rung ${inc.rung + 1} (${rung.runbook}) began: going to rung ${inc.rung + 2} of ${rungs.length} (${rungs[inc.rung + 1]!.runbook})`,
    );
    inc.rung++;
    inc.rungStartedAt = null;
    return null;
  }
  const page = escalation(j, j.policy!.config.escalate.notifiers);
  const reason = reasonOf(
    j,
    'ladder-exhausted',
    'ladder',
    { rungs: rungs.length, deadlineMs: rung.deadlineMs },
    `still failing ${duration(rung.deadlineMs)} after the last rung (${rung.runbook}, ${inc.rung + 1} of ${rungs.length}) began: ladder exhausted, healing stopped; ${page.words}`,
  );
  return {
    verdict: 'escalate',
    phase: 'escalated',
    blockedBy: 'ladder',
    reason,
    commandIds: page.emit(reason),
  };
}

/** One remediation per service at a time, always, whichever incident or policy asks. */
export function serviceBusy(j: Judging): Block | null {
  const busy = j.svc.busy;
  if (busy === null) return null;
  return {
    verdict: 'wait',
    phase: 'waiting',
    blockedBy: 'service-busy',
    reason: reasonOf(
      j,
      'service-busy',
      'service-concurrency',
      { inFlight: busy },
      `waiting: ${busy} is already healing ${j.inc.service} (one remediation per service at a time)`,
    ),
  };
}

/** The breaker of (service, runbook) as time has moved it. */
export function breakerOf(j: Judging, runbook: string): BreakerState {
  const current = breakerAt(j.svc.breakers[runbook], j.d.now, j.policy!.config.windowMs);
  j.svc.breakers[runbook] = current;
  return current;
}

/**
 * Retry budget as a circuit breaker per (service, runbook): closed while attempts within the
 * window stay under maxAttempts; one more opens it (page, stop healing) for a window; then
 * half-open allows one trial; a verified success closes it, a failure opens it again.
 */
export function breaker(j: Judging, rung: CompiledRung): Block | null {
  const { d, inc } = j;
  const { maxAttempts, windowMs } = j.policy!.config;
  const current = breakerOf(j, rung.runbook);
  const answer = admission(current, { maxAttempts, windowMs }, d.now);
  if (answer.admit) return null;
  const used = current.attempts.length;
  const key = `${inc.service}/${rung.runbook}`;
  let state = current;
  let head: string;
  if (answer.why === 'trips') {
    state = answer.next;
    j.svc.breakers[rung.runbook] = state;
    head = `attempt ${used + 1} of ${maxAttempts} within ${duration(windowMs)}: breaker ${key} open until ${iso(state.openUntil!)}`;
  } else if (answer.why === 'open') {
    head = `breaker ${key} open until ${iso(state.openUntil!)} (${used} of ${maxAttempts} attempts within ${duration(windowMs)})`;
  } else {
    head = `breaker ${key} half-open: trial ${state.trial} in flight`;
  }
  const page = escalation(j, j.policy!.config.escalate.notifiers);
  const reason = reasonOf(
    j,
    'breaker-open',
    'breaker',
    {
      attempts: used,
      maxAttempts,
      windowMs,
      ...(state.openUntil !== null ? { openUntil: state.openUntil } : {}),
    },
    `${head}; ${page.words}`,
  );
  return {
    verdict: 'wait',
    phase: 'waiting',
    blockedBy: 'breaker',
    reason,
    ...(state.openUntil !== null ? { wakeAt: state.openUntil } : {}),
    commandIds: page.emit(reason),
  };
}

/** Cooldown between attempts on a service, doubled per failure in a row when backoff is set. */
export function cooldown(j: Judging): Block | null {
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
  const deadline =
    rung.deadlineMs !== null && inc.rungStartedAt !== null
      ? inc.rungStartedAt + rung.deadlineMs
      : Number.POSITIVE_INFINITY;
  return {
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
}

/** maxConcurrent, global (Settings) and per policy: queue, or page and stop. */
export function concurrency(j: Judging): Block | null {
  const { d, inc } = j;
  const policy = j.policy!;
  const global = d.compiled.settings.maxConcurrent;
  const own = policy.config.maxConcurrent;
  const ownCount = d.state.inFlightByPolicy[policy.name] ?? 0;
  let limit: { scope: string; count: number; max: number } | null = null;
  if (global !== null && d.state.inFlightCount >= global) {
    limit = { scope: 'all policies', count: d.state.inFlightCount, max: global };
  } else if (own !== null && ownCount >= own) {
    limit = { scope: `policy ${policy.name}`, count: ownCount, max: own };
  }
  if (limit === null) return null;
  const head = `${limit.count} of ${limit.max} heals in flight (${limit.scope})`;
  const numbers = { inFlight: limit.count, maxConcurrent: limit.max, scope: limit.scope };
  if (policy.config.onConcurrencyLimit === 'page') {
    const page = escalation(j, policy.config.escalate.notifiers);
    const reason = reasonOf(
      j,
      'concurrency',
      'concurrency',
      numbers,
      `${head}: not queuing (onConcurrencyLimit: page); ${page.words}`,
    );
    return {
      verdict: 'escalate',
      phase: 'escalated',
      blockedBy: 'concurrency',
      reason,
      commandIds: page.emit(reason),
    };
  }
  const queue = d.state.queue;
  let position = queue.findIndex((entry) => entry.incident === inc.id) + 1;
  if (position === 0) {
    d.shared('queue').push({ service: inc.service, incident: inc.id });
    position = d.state.queue.length;
  }
  return {
    verdict: 'queue',
    phase: 'queued',
    blockedBy: 'concurrency',
    reason: reasonOf(
      j,
      'concurrency',
      'concurrency',
      { ...numbers, position },
      `${head}: queued at position ${position}`,
    ),
  };
}
