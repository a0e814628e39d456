import type { BreakerState, IncidentState, Phase } from '../state.ts';
import type {
  HealCommand,
  IncidentEvent,
  PageCommand,
  PreviewCommand,
  Reason,
  RequestApprovalCommand,
  Verdict,
} from '../types.ts';
import type { Judging } from './judging.ts';

/**
 * A guardrail as a function: it reads the incident and rules, and changes nothing. `null` is no
 * objection and nothing to change. Only `applyRuling` (apply.ts) turns a ruling into state.
 */
export type Gate = (j: Judging) => Ruling | null;

export type Ruling = Pass | Block;

/** On to the next guardrail, after these changes (the next ladder rung, a dependency recovered). */
export interface Pass {
  kind: 'pass';
  effects: readonly Effect[];
}

/** The pipeline stops here: what the decision does to the incident, and why. */
export interface Block {
  kind: 'block';
  verdict: Verdict;
  phase: Phase;
  blockedBy: string;
  reason: Reason;
  /** Judge again then. */
  wakeAt?: number;
  /** Applied in order once the reason is recorded; the commands among them go on the decision. */
  effects?: readonly Effect[];
}

/** The incident fields a guardrail may ask to change. */
export type IncidentChanges = Partial<
  Pick<
    IncidentState,
    | 'since'
    | 'counted'
    | 'rung'
    | 'rungStartedAt'
    | 'linkedTo'
    | 'linkedVia'
    | 'rootStatus'
    | 'recoveredWith'
  >
>;

/** One change to the decision in progress, as data. */
export type Effect =
  /** A reason that stops nothing. */
  | { kind: 'note'; reason: Reason }
  | { kind: 'incident'; set: IncidentChanges }
  /** Dry-run or shadow: ask the heal's runbook what it would change (its check modes). */
  | { kind: 'preview'; command: PreviewCommand }
  /** A timeline entry besides the decision (linked, unlinked). */
  | { kind: 'event'; event: IncidentEvent }
  /** Judge the incident's service again when `service` recovers. */
  | { kind: 'held-by-dependency'; service: string }
  /** Judge it again when the policy's blast radius is back at its limit. */
  | { kind: 'held-by-blast'; policy: string }
  | { kind: 'breaker'; runbook: string; breaker: BreakerState }
  /** Wait in line for a concurrency slot. */
  | { kind: 'enqueue' }
  | { kind: 'page'; command: PageCommand }
  | { kind: 'group-page'; policy: string; command: PageCommand }
  | { kind: 'request-approval'; command: RequestApprovalCommand }
  | { kind: 'heal'; command: HealCommand; halfOpenTrial: boolean };

export const NO_EFFECTS: readonly Effect[] = [];

export function pass(...effects: Effect[]): Pass {
  return { kind: 'pass', effects };
}
