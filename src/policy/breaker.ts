import type { BreakerState } from './state.ts';

/**
 * The retry budget of one (service, runbook) as a circuit breaker, a small state machine:
 *
 *   closed    --(a heal asked with maxAttempts already used in the window)--> open
 *   open      --(the window passed)-->                                        half-open
 *   half-open --(its one trial heal verified healthy)-->                      closed
 *   half-open --(its trial failed)-->                                         open
 *   any       --(an operator's reset)-->                                      closed, attempts forgotten
 *
 * As in cockatiel, the machine only answers: every function here returns a decision or the next
 * state and changes nothing. Its owner (the engine, applying a ruling or an outcome) stores it.
 * An open breaker stays open for a whole window, so the trial is always within budget.
 */

export interface BreakerLimits {
  maxAttempts: number;
  windowMs: number;
}

/** What the breaker says to one more heal. */
export type Admission =
  /** Within budget (closed), or the one trial (half-open): heal. */
  | { admit: true }
  /** The budget is spent: this ask opens the breaker; `next` is the open breaker. */
  | { admit: false; why: 'trips'; next: BreakerState }
  | { admit: false; why: 'open' }
  /** Half-open, and its trial is still in flight. */
  | { admit: false; why: 'trial-in-flight' };

const ADMIT: Admission = { admit: true };
const OPEN: Admission = { admit: false, why: 'open' };
const TRIAL_IN_FLIGHT: Admission = { admit: false, why: 'trial-in-flight' };

export function closedBreaker(): BreakerState {
  return { state: 'closed', attempts: [], openUntil: null, trial: null };
}

/**
 * The breaker as time has moved it at `now`: attempts older than the window forgotten, and an
 * open breaker whose window passed half-open. The same object when time changed nothing.
 */
export function breakerAt(
  breaker: BreakerState | undefined,
  now: number,
  windowMs: number,
): BreakerState {
  if (breaker === undefined) return closedBreaker();
  const since = now - windowMs;
  const stale = breaker.attempts.some((at) => at <= since);
  const due = breaker.state === 'open' && now >= breaker.openUntil!;
  if (!stale && !due) return breaker;
  const next = { ...breaker };
  if (stale) next.attempts = breaker.attempts.filter((at) => at > since);
  if (due) {
    next.state = 'half-open';
    next.openUntil = null;
  }
  return next;
}

/** Whether one more heal may run, asked of the breaker as `breakerAt` gives it. */
export function admission(breaker: BreakerState, limits: BreakerLimits, now: number): Admission {
  switch (breaker.state) {
    case 'closed':
      if (breaker.attempts.length < limits.maxAttempts) return ADMIT;
      return {
        admit: false,
        why: 'trips',
        next: { ...breaker, state: 'open', openUntil: now + limits.windowMs },
      };
    case 'half-open':
      return breaker.trial === null ? ADMIT : TRIAL_IN_FLIGHT;
    case 'open':
      return OPEN;
  }
}

/** A heal started: it counts against the budget, and in half-open it is the trial. */
export function healStarted(breaker: BreakerState, healId: string, now: number): BreakerState {
  return {
    ...breaker,
    attempts: [...breaker.attempts, now],
    trial: breaker.state === 'half-open' ? healId : breaker.trial,
  };
}

/**
 * A heal ended. Only the half-open trial moves the breaker: verified healthy closes it, anything
 * else opens it for another window. The same object for any other heal.
 */
export function healEnded(
  breaker: BreakerState,
  healId: string,
  verified: boolean,
  now: number,
  windowMs: number,
): BreakerState {
  if (breaker.trial !== healId) return breaker;
  if (verified) return { ...breaker, trial: null, state: 'closed' };
  return { ...breaker, trial: null, state: 'open', openUntil: now + windowMs };
}

/** A closed breaker with no attempts and no trial says nothing: the state need not keep it. */
export function isBlank(breaker: BreakerState): boolean {
  return breaker.state === 'closed' && breaker.attempts.length === 0 && breaker.trial === null;
}
