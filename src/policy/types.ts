import type { HealParams } from '../config/config.ts';
import type { Signal } from '../signals/signal.ts';

/**
 * The decision engine's vocabulary. Inputs come in time order from the shell; commands are
 * intent as data for the shell to journal and dispatch; events are incident timeline entries;
 * reasons say, machine-readably and in words with the numbers, why each decision was taken.
 */

export type Input =
  | SignalInput
  | OutcomeInput
  | ApprovalInput
  | TickInput
  | BreakerResetInput
  | NotifyInput
  | SilenceInput
  | SilenceExpireInput
  | RunbookRunInput;

export interface SignalInput {
  kind: 'signal';
  /** Epoch ms: when the input happened (for a signal, usually signal.at). */
  at: number;
  signal: Signal;
}

/** How a heal ended. `succeeded` means verified healthy by the check that fired. */
export type OutcomeResult = 'succeeded' | 'failed' | 'unknown';

export interface OutcomeInput {
  kind: 'outcome';
  at: number;
  /** The heal's id, which is also its idempotency key. */
  commandId: string;
  result: OutcomeResult;
  detail?: string;
  /**
   * The runbook refused the heal before any step ran (its params do not validate, a step's
   * rendered value would be refused): the same heal would be refused again, so a failed outcome
   * with it is final: not retried, a human is paged with the reason. Absent in older records,
   * which are decided again as they were (retried).
   */
  refused?: true;
}

export interface ApprovalInput {
  kind: 'approval';
  at: number;
  approvalId: string;
  verdict: 'approve' | 'deny';
  actor: string;
}

/** Only time passing: `for` timers, cooldowns, approval expiry, ladder deadlines, breakers. */
export interface TickInput {
  kind: 'tick';
  at: number;
}

/** An operator closes a breaker (`mend breaker reset SERVICE [RUNBOOK]`). */
export interface BreakerResetInput {
  kind: 'breakerReset';
  at: number;
  service: string;
  /** Every breaker of the service when unset. */
  runbook?: string;
  actor: string;
}

/**
 * An operator silences what the matchers select, from startsAt to endsAt (`mend silence add`, the
 * API): beside the config's silences, and recorded like every input, so a replay decides alike.
 */
export interface SilenceInput {
  kind: 'silence';
  at: number;
  /** Given by the shell (`sil-<request id>`), unique. */
  id: string;
  /** Alertmanager matchers, as the operator wrote them (`service="db"`, `env=~"prod|stage"`). */
  matchers: string[];
  startsAt: number;
  endsAt: number;
  comment: string;
  actor: string;
}

/** An operator ends a runtime silence before its time; what it held is judged again. */
export interface SilenceExpireInput {
  kind: 'silenceExpire';
  at: number;
  id: string;
  actor: string;
}

/**
 * A runbook's `notify` step, during a heal: tell these notifiers this message. The engine turns it
 * into a page about the heal's incident, so the page is decided and recorded like every other.
 */
export interface NotifyInput {
  kind: 'notify';
  at: number;
  /** The heal whose runbook sends it. */
  commandId: string;
  /** The step attempt's key: the page's idempotency key, so a resumed step pages once. */
  key: string;
  notifiers: string[];
  message: string;
}

/**
 * An operator runs a runbook by hand on a service (the API): recorded as an incident of its own,
 * run as a heal (so one heal per service at a time holds, and its notify steps page through the
 * engine), and closed with the run's outcome. Policies, budgets and cooldowns do not apply: a
 * person decided; the shell has checked the service, the runbook and its params.
 */
export interface RunbookRunInput {
  kind: 'runbookRun';
  at: number;
  service: string;
  runbook: string;
  params: HealParams;
  actor: string;
  /** The operator request it applies: the incident's group key, so it is its own incident. */
  request: number;
}

export type Command =
  | HealCommand
  | PageCommand
  | ResolvePageCommand
  | RequestApprovalCommand
  | PreviewCommand;

/**
 * In dry-run or shadow mode, the heal that would run, asked what it would change without
 * changing anything: the runbook's steps that have a check mode run in it (ansible `--check
 * --diff`); nothing else runs. Once per incident; it has no outcome for the engine.
 */
export interface PreviewCommand {
  kind: 'preview';
  /** `${incidentId}:preview:${attempt}`: also the idempotency key and the journal's runId. */
  id: string;
  idempotencyKey: string;
  incidentId: string;
  mode: 'dry-run' | 'shadow';
  /** The heal it stands for (not run). */
  heal: HealCommand;
}

export interface HealCommand {
  kind: 'heal';
  /** `${incidentId}:heal:${attempt}`: also the idempotency key. */
  id: string;
  idempotencyKey: string;
  incidentId: string;
  service: string;
  runbook: string;
  params: HealParams;
  policy: string;
  /** Index of the ladder rung (0 for a plain heal). */
  rung: number;
  attempt: number;
  /** Who started it, for a run by hand (the journal's actor); the controller otherwise. */
  actor?: string;
}

export interface PageCommand {
  kind: 'page';
  /** `${incidentId}:page:${n}`, or `blast:${policy}:${n}` for a blast-radius group page. */
  id: string;
  idempotencyKey: string;
  /** The incident, or the group id for a group page. */
  target: string;
  /** The incidents the page is about. */
  incidentIds: string[];
  notifiers: string[];
  summary: string;
  reason: Reason;
  /**
   * Set (true) when the incident's service is chronic: healed again and again, which hides a
   * recurring failure. The summary then ends with that sentence and its numbers.
   */
  chronic?: boolean;
}

export interface ResolvePageCommand {
  kind: 'resolvePage';
  /** The page being resolved; the idempotency key is `${id}:resolve`. */
  id: string;
  idempotencyKey: string;
  target: string;
  summary: string;
}

export interface RequestApprovalCommand {
  kind: 'requestApproval';
  /** `${incidentId}:approval:${attempt}`. */
  approvalId: string;
  idempotencyKey: string;
  incidentId: string;
  expiresAt: number;
  /** The heal that runs once approved (guardrails are checked again then). */
  heal: HealCommand;
  reason: Reason;
}

/** The guardrail that shaped a decision. */
export type Guardrail =
  | 'silence'
  | 'maintenance'
  | 'dependency'
  | 'blast-radius'
  | 'for'
  | 'count'
  | 'service-concurrency'
  | 'concurrency'
  | 'breaker'
  | 'cooldown'
  | 'backoff'
  | 'ladder'
  | 'approval'
  | 'dry-run'
  | 'shadow';

export interface Reason {
  code: string;
  incidentId?: string;
  service?: string;
  policy?: string;
  guardrail?: Guardrail;
  /** The figures that decided it: attempts, limits, counts, times (epoch ms). */
  numbers: Record<string, number | string>;
  /** The same, in words: `attempt 4 of 3 within 1h: breaker open until ...; paging oncall`. */
  message: string;
}

/** What a decision did to an incident. */
export type Verdict =
  | 'heal'
  | 'would-heal'
  | 'request-approval'
  | 'page'
  | 'would-page'
  | 'hold'
  | 'wait'
  | 'queue'
  | 'observe'
  | 'escalate';

export type IncidentEvent = { incidentId: string; at: number } & (
  | { type: 'opened'; service: string; group: Record<string, string> }
  | {
      type: 'signal';
      fingerprint: string;
      status: 'firing' | 'resolved';
      check?: string;
      summary: string;
    }
  | { type: 'matched'; policy: string | null; others: string[]; reason: Reason }
  | { type: 'decision'; verdict: Verdict; reason: Reason; commandIds: string[] }
  | { type: 'linked'; rootIncidentId: string; dependency: string; reason: Reason }
  | { type: 'unlinked'; dependency: string; reason: Reason }
  | { type: 'breaker-reset'; runbooks: string[]; actor: string; reason: Reason }
  | {
      type: 'outcome';
      commandId: string;
      result: OutcomeResult;
      detail?: string;
      refused?: true;
    }
  | {
      type: 'approval';
      approvalId: string;
      verdict: 'approve' | 'deny' | 'expired' | 'cancelled';
      actor?: string;
    }
  | { type: 'resolved'; how: 'resolved' | 'recovered-after-heal'; attempts: number; reason: Reason }
  | { type: 'chronic'; service: string; heals: number; withinMs: number; reason: Reason }
);

export interface Decision<State> {
  state: State;
  commands: Command[];
  events: IncidentEvent[];
  /** Every reason of this step, in order, including those about no incident (unknown ids). */
  reasons: Reason[];
}

/**
 * The signal that brought an incident, as the engine keeps it (its evidence is in the store): a
 * heal verifies its check, a page names it.
 */
export interface LeadSignal {
  fingerprint: string;
  source: string;
  check: string | null;
  labels: Record<string, string>;
  summary: string;
  startsAt: number;
}
