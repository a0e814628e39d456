import type { Observation } from './observation.ts';

/**
 * The threshold state machine of one check, with Kubernetes probe semantics: a check turns failing
 * after failureThreshold consecutive failures and healthy after successThreshold consecutive
 * successes. No clock and no I/O: the detector feeds it observations in order.
 *
 * It updates the state in place: it runs for every probe (10,000 times a second in the benchmark),
 * and a fresh state object per probe that lives for one period is exactly the kind of garbage that
 * V8 promotes to the old generation and then has to sweep.
 */
export type CheckStatus = 'unknown' | 'healthy' | 'failing';

export interface CheckState {
  status: CheckStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** startedAt of the first failed observation of the current run of failures. */
  failingSince?: number;
  /** When the current status began (epoch ms). */
  since?: number;
  /**
   * The last observations, oldest first, at most EVIDENCE_SIZE: what a signal carries. While the
   * check is healthy and passing only the latest is kept; it is the context before a failure.
   */
  recent: Observation[];
}

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

export interface Transition {
  from: CheckStatus;
  to: 'healthy' | 'failing';
  /** When the failure began: the first failed observation of the run. */
  startsAt: number;
  at: number;
}

export const EVIDENCE_SIZE = 5;

export function initialCheckState(): CheckState {
  return { status: 'unknown', consecutiveFailures: 0, consecutiveSuccesses: 0, recent: [] };
}

/**
 * Apply one observation: update `state` and return the transition it caused, if any. A discarded
 * one changes nothing, as kubelet leaves its result run alone for a probe that errored.
 */
export function applyObservation(
  state: CheckState,
  observation: Observation,
  thresholds: Thresholds,
): Transition | undefined {
  if (observation.discarded) return undefined;
  remember(state, observation);
  const at = Math.round(observation.startedAt + observation.durationMs);
  if (observation.ok) {
    state.consecutiveFailures = 0;
    state.consecutiveSuccesses++;
    if (state.status === 'failing' && state.consecutiveSuccesses < thresholds.successThreshold) {
      return undefined; // still failing: keep failingSince
    }
    const startsAt = state.failingSince ?? at;
    state.failingSince = undefined;
    if (state.status === 'healthy' || state.consecutiveSuccesses < thresholds.successThreshold) {
      return undefined;
    }
    const from = state.status;
    state.status = 'healthy';
    state.since = at;
    // unknown -> healthy is the normal start: not a change anyone needs to hear about.
    return from === 'failing' ? { from, to: 'healthy', startsAt, at } : undefined;
  }
  if (state.consecutiveFailures === 0 && state.status !== 'failing') {
    state.failingSince = observation.startedAt;
  }
  state.failingSince ??= observation.startedAt;
  state.consecutiveFailures++;
  state.consecutiveSuccesses = 0;
  if (state.status === 'failing' || state.consecutiveFailures < thresholds.failureThreshold) {
    return undefined;
  }
  const from = state.status;
  state.status = 'failing';
  state.since = at;
  return { from, to: 'failing', startsAt: state.failingSince, at };
}

function remember(state: CheckState, observation: Observation): void {
  const { recent } = state;
  if (observation.ok && state.status === 'healthy' && state.consecutiveFailures === 0) {
    recent.length = 0;
  } else if (recent.length >= EVIDENCE_SIZE) {
    recent.shift();
  }
  recent.push(observation);
}
