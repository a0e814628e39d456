import type { Observation } from './observation.ts';

/**
 * The threshold state machine of one check, with Kubernetes probe semantics: a check turns failing
 * after failureThreshold consecutive failures and healthy after successThreshold consecutive
 * successes. Pure: no clock, no I/O; the detector feeds it observations in order.
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
  /** The last observations, oldest first, at most EVIDENCE_SIZE: what a signal carries. */
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

export function judge(
  state: CheckState,
  observation: Observation,
  thresholds: Thresholds,
): { state: CheckState; transition?: Transition } {
  const recent = [...state.recent, observation].slice(-EVIDENCE_SIZE);
  const at = Math.round(observation.startedAt + observation.durationMs);
  if (observation.ok) {
    const consecutiveSuccesses = state.consecutiveSuccesses + 1;
    const next: CheckState = { ...state, consecutiveFailures: 0, consecutiveSuccesses, recent };
    next.failingSince = undefined;
    if (state.status !== 'healthy' && consecutiveSuccesses >= thresholds.successThreshold) {
      next.status = 'healthy';
      next.since = at;
      // unknown -> healthy is the normal start: not a change anyone needs to hear about.
      if (state.status === 'failing') {
        return {
          state: next,
          transition: { from: 'failing', to: 'healthy', startsAt: state.failingSince ?? at, at },
        };
      }
    } else if (state.status === 'failing') {
      // Still failing until successThreshold is met: keep the start of the failure.
      next.failingSince = state.failingSince;
    }
    return { state: next };
  }
  const consecutiveFailures = state.consecutiveFailures + 1;
  const failingSince =
    state.consecutiveFailures === 0 && state.status !== 'failing'
      ? observation.startedAt
      : (state.failingSince ?? observation.startedAt);
  const next: CheckState = {
    ...state,
    consecutiveFailures,
    consecutiveSuccesses: 0,
    failingSince,
    recent,
  };
  if (state.status !== 'failing' && consecutiveFailures >= thresholds.failureThreshold) {
    next.status = 'failing';
    next.since = at;
    return {
      state: next,
      transition: { from: state.status, to: 'failing', startsAt: failingSince, at },
    };
  }
  return { state: next };
}
