import type { Config } from '../config/config.ts';
import { type CompiledPolicies, compilePolicies } from './compile.ts';
import { Draft } from './draft.ts';
import { recountBlast } from './incidents/service-health.ts';
import { expireApproval, onApproval } from './inputs/on-approval.ts';
import { onBreakerReset } from './inputs/on-breaker-reset.ts';
import { onNotify } from './inputs/on-notify.ts';
import { onOutcome } from './inputs/on-outcome.ts';
import { onRunbookRun } from './inputs/on-runbook-run.ts';
import { onSignal } from './inputs/on-signal.ts';
import { onSilence, onSilenceExpire } from './inputs/on-silence.ts';
import { refreshHolds } from './judge/follow-ups.ts';
import { judge } from './judge/judge.ts';
import { type EngineState, incidentOf, initialState } from './state.ts';
import { type Timer, takeDue } from './timers.ts';
import type { Decision, Input } from './types.ts';

/**
 * The decision engine: (state, one input, now) -> (new state, commands, events, reasons).
 * Pure and deterministic: it reads time only from `now`, does no I/O, and never changes `state`.
 * Timers due at `now` fire first (every input also says time has passed), then the input.
 */
export function decide(
  compiled: CompiledPolicies,
  state: EngineState,
  input: Input,
  now: number,
): Decision<EngineState> {
  const d = new Draft(compiled, state, now);
  fireTimers(d);
  switch (input.kind) {
    case 'signal':
      onSignal(d, input.signal);
      break;
    case 'outcome':
      onOutcome(d, input);
      break;
    case 'approval':
      onApproval(d, input);
      break;
    case 'breakerReset':
      onBreakerReset(d, input);
      break;
    case 'notify':
      onNotify(d, input);
      break;
    case 'silence':
      onSilence(d, input);
      break;
    case 'silenceExpire':
      onSilenceExpire(d, input);
      break;
    case 'runbookRun':
      onRunbookRun(d, input);
      break;
    case 'tick':
      break;
  }
  d.drain();
  refreshHolds(d);
  return { state: d.finish(), commands: d.commands, events: d.events, reasons: d.reasons };
}

function fireTimers(d: Draft): void {
  const { queue, due } = takeDue(d.state.timers, d.now);
  d.state.timers = queue;
  for (const timer of due) {
    fire(d, timer);
    d.drain();
  }
}

/** A timer matters only if its owner still expects it; others are stale and skipped. */
function fire(d: Draft, timer: Timer): void {
  if (timer.kind === 'approval') {
    if (d.state.approvals[timer.approval]?.expiresAt === timer.at) {
      expireApproval(d, timer.approval);
    }
    return;
  }
  const incident = incidentOf(d.peek(timer.service), timer.incident);
  if (incident?.wakeAt === timer.at) judge(d, timer.service, timer.incident);
}

/**
 * A state decided under another config, made consistent with `compiled` (after a reload: which
 * services each policy selects, and what depends on what, may have changed).
 */
export function adoptConfig(compiled: CompiledPolicies, state: EngineState): EngineState {
  const d = new Draft(compiled, state, 0);
  recountBlast(d);
  return d.finish();
}

export interface Engine {
  readonly compiled: CompiledPolicies;
  initialState(): EngineState;
  decide(state: EngineState, input: Input, now: number): Decision<EngineState>;
}

/** The engine for one config: compiled once, then `decide` as often as inputs come. */
export function createEngine(config: Config): Engine {
  const compiled = compilePolicies(config);
  return {
    compiled,
    initialState,
    decide: (state, input, now) => decide(compiled, state, input, now),
  };
}
