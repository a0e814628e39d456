import type { Signal, SignalStatus } from '../signals/signal.ts';
import type { AlertRecord } from '../signals/sources/alert-record.ts';
import type { TimeWindow } from './time-window.ts';

export * from './operator-records.ts';
export type { TimeWindow } from './time-window.ts';
export type { AlertRecord };

import type {
  AuditActor,
  AuditChainPage,
  AuditChainRow,
  AuditEntry,
  AuditFilter,
  AuditHead,
  NewOperatorRequest,
  NewToken,
  Rejection,
  StoredAuditEntry,
  StoredOperatorRequest,
  StoredToken,
} from './operator-records.ts';

/**
 * What mend keeps: signal transitions with their evidence, incidents and their timelines, the
 * decision record (inputs, decisions, engine snapshots, commands, operator requests), the
 * runbook journal and the audit log. Kept narrow so that SQLite (one process) and PostgreSQL
 * (several replicas) implement the same contract (test/store/contract.ts) and nothing else.
 *
 * Every method is async and returns plain objects. A failure of the database itself (locked,
 * read-only, full, corrupt, unavailable) rejects with a StoreError; what was committed before stays.
 * Timestamps (`...At`, `since`, `until`) are integer epoch ms; anything else is refused with a
 * TypeError, because PostgreSQL's bigint would refuse it too.
 */
export interface Store {
  /** Brings the schema up to date; openStore runs it, and running it again does nothing. */
  migrate(): Promise<void>;
  /** A cheap read that proves the database answers (for /readyz). Rejects with a StoreError. */
  ping(): Promise<void>;
  /** Releases the database; later calls reject with a StoreError of kind 'unavailable'. */
  close(): Promise<void>;

  /** Signals as recordDecision recorded them, each with its evidence. */
  listSignals(filter?: SignalFilter): Promise<StoredSignal[]>;

  /**
   * Keeps each alert's latest state, all in one transaction (durable when it resolves): one per
   * fingerprint, unless what is kept changed later (alert-rows.ts `isStale`). Says, per alert in
   * the order given, whether it was kept or stale.
   */
  recordAlerts(alerts: readonly AlertRecord[]): Promise<AlertWrite[]>;
  /** Alerts as kept, the latest received first. */
  listAlerts(filter?: AlertFilter): Promise<AlertRecord[]>;

  /** Keeps where each check's probe got to (overwriting what was kept), in one transaction. */
  saveProbeCursors(cursors: readonly ProbeCursor[]): Promise<void>;
  /** Every check's kept cursor, by check key. */
  listProbeCursors(): Promise<ProbeCursor[]>;

  /**
   * Appends to the timeline of an incident recordDecision opened (notifiers record their
   * deliveries here); an id the store does not have is refused with a RangeError.
   */
  appendIncidentEvent(event: NewIncidentEvent): Promise<StoredIncidentEvent>;
  /** The incident of this id (`inc-3`) with its whole timeline, oldest first; or undefined. */
  getIncident(id: string): Promise<IncidentWithTimeline | undefined>;
  listIncidents(filter?: IncidentFilter): Promise<Incident[]>;

  /**
   * Appends to the runbook journal. One entry per (idempotencyKey, phase): a second append with
   * the same pair writes nothing and returns the first entry with created: false, so a replica
   * that lost a race learns that the step was already journaled.
   */
  appendJournal(entry: JournalEntry): Promise<{ created: boolean; entry: StoredJournalEntry }>;
  /** A run's journal in append order. */
  listJournal(runId: string): Promise<StoredJournalEntry[]>;
  /**
   * Every run's journal after entry `afterId` (0: from the start), oldest first, at most `limit`:
   * for a reader that follows the journal as it grows (the API's stream).
   */
  journalAfter(afterId: number, limit: number): Promise<StoredJournalEntry[]>;
  /** The newest decision's seq and journal entry's id (0 when there is none): where "now" is. */
  latestPositions(): Promise<{ seq: number; journal: number }>;

  /**
   * Records one engine step before any of its commands is dispatched, in ONE transaction: the
   * input and its decision (append-only, numbered by `seq`), the signal the input carries, what the
   * decision did to incidents, the commands it planned, and the operator request it applied. If
   * any part fails (an event for an incident the store does not know, an operator request that is
   * not pending, a value JSON cannot hold) nothing of the record is written.
   */
  recordDecision(record: DecisionRecord): Promise<{ seq: number }>;
  /** Recorded decisions in seq order: the order the engine saw the inputs, for replay. */
  listDecisions(filter?: DecisionFilter): Promise<StoredDecision[]>;
  /** Saves the engine's state after input `inputSeq`; keeps the newest SNAPSHOTS_KEPT only. */
  saveSnapshot(snapshot: EngineSnapshot): Promise<void>;
  /** The snapshot with the highest inputSeq, to rebuild from with the inputs after it. */
  latestSnapshot(): Promise<EngineSnapshot | undefined>;

  /**
   * Moves a planned command along: planned -> dispatched -> succeeded | failed | unknown (a final
   * status may also follow planned directly). Setting the status it already has changes nothing,
   * so a repeated report is harmless; going back, or from one final status to another, is refused
   * with a RangeError, as is an id no decision planned.
   */
  updateCommand(id: string, change: CommandChange): Promise<void>;
  /**
   * Marks a planned command dispatched, and says whether it was still planned. A heal's outcome
   * can be recorded before its dispatch is marked (a run refused at once): then the command
   * keeps its final status and this returns false. An id no decision planned is a RangeError.
   */
  markDispatched(id: string, at: number): Promise<boolean>;
  /** Commands in the order they were decided (input seq, then position in the decision). */
  listCommands(filter?: CommandFilter): Promise<StoredCommand[]>;

  /**
   * Queues an operator's request (from the CLI or the API) for the running controller, and
   * audits it (`approval.approve`, `approval.deny`, `breaker.reset`, result `accepted`) in the
   * same transaction, with the role, source and request id of `by` when the API sent it. The
   * controller applies it through recordDecision (operatorRequestId) or rejects it, saying why.
   */
  addOperatorRequest(
    request: NewOperatorRequest,
    by?: Omit<AuditActor, 'actor'>,
  ): Promise<{ id: number }>;
  /** Requests neither applied nor rejected, oldest first. */
  pendingOperatorRequests(): Promise<StoredOperatorRequest[]>;
  /** A request in whatever state it is, so its sender can learn what became of it. */
  getOperatorRequest(id: number): Promise<StoredOperatorRequest | undefined>;
  /**
   * Settles a pending request without applying it. Rejecting a rejected request changes nothing;
   * an applied or unknown one is refused with a RangeError.
   */
  rejectOperatorRequest(id: number, rejection: Rejection): Promise<void>;

  /**
   * Appends to the audit log, which the database itself keeps append-only, as the next link of
   * its hash chain (audit-chain.ts): the chain's head row is taken (a row lock on PostgreSQL, the
   * write lock on SQLite), the row is hashed with the head's hash and inserted, and the head
   * moves, in one transaction, so concurrent writers (the CLI, the controller, replicas) line up.
   * Any mend token in params is cut out. An action, result or actor outside the vocabulary
   * (audit-vocabulary.ts) is refused with a TypeError.
   */
  appendAudit(entry: AuditEntry): Promise<StoredAuditEntry>;
  listAudit(filter?: AuditFilter): Promise<StoredAuditEntry[]>;
  /**
   * The audit rows in the order they were appended (by id), `limit` at a time after `afterId`,
   * for `mend audit verify`: a row that no longer reads as one (hand-edited into another type)
   * comes back as unreadable, with why, instead of failing the whole read.
   */
  readAuditChain(page: AuditChainPage): Promise<AuditChainRow[]>;
  /** The last link of the chain as the store recorded it: seq 0 and GENESIS_HASH when empty. */
  auditHead(): Promise<AuditHead>;

  /**
   * Keeps a new API token (its hash, never the token) and audits `token.create` in the same
   * transaction. Names are unique for ever: a name taken by a token, revoked or not, is refused
   * with a RangeError, so `token:NAME` in the audit log always means one token. A malformed name,
   * role or time is a TypeError.
   */
  createToken(token: NewToken, by: AuditActor): Promise<StoredToken>;
  /** Every token, revoked and expired ones too, oldest first; never a hash. */
  listTokens(): Promise<StoredToken[]>;
  /**
   * The token with this hash (for authentication), whatever its state, with the hash as stored
   * (to compare in constant time); or undefined.
   */
  findToken(hash: string): Promise<(StoredToken & { hash: string }) | undefined>;
  /**
   * Revokes a token at once and audits `token.revoke` in the same transaction; a name the store
   * does not have is a RangeError. Revoking a revoked token changes nothing and audits nothing
   * (revoked: false).
   */
  revokeToken(
    name: string,
    at: number,
    by: AuditActor,
  ): Promise<{ token: StoredToken; revoked: boolean }>;
  /** Records that a token was used at `at`; never moves lastUsedAt back. Not audited. */
  touchToken(name: string, at: number): Promise<void>;
}

/** A recorded signal; its evidence comes back exactly as recorded, oldest observation first. */
export interface StoredSignal extends Signal {
  id: number;
}

/** Where a check's probe got to in what it reads: opaque to the store, JSON. */
export interface ProbeCursor {
  /** The check's key, `service/check`. */
  check: string;
  cursor: unknown;
  updatedAt: number;
}

/** `kept`: the alert is what the store holds now; `stale`: what it holds is newer, unchanged. */
export type AlertWrite = 'kept' | 'stale';

export interface AlertFilter {
  service?: string;
  /** Only those no Service selects. */
  unmatched?: boolean;
  status?: SignalStatus;
  limit?: number;
}

/** Filters on the transition's time (`at`). */
export interface SignalFilter extends TimeWindow {
  service?: string;
}

export type IncidentStatus = 'open' | 'resolved';

export interface Incident {
  /** The engine's incident id (`inc-3`): the one identity an incident has, never reused. */
  id: string;
  service: string;
  status: IncidentStatus;
  title: string;
  openedAt: number;
  resolvedAt?: number;
  fields: Record<string, unknown>;
}

export interface NewIncidentEvent {
  incidentId: string;
  at: number;
  /** 'opened', 'signal', 'decision', 'step', 'notification', 'resolved', ... */
  type: string;
  /** JSON; comes back as JSON.parse(JSON.stringify(payload)). */
  payload: unknown;
}

export interface StoredIncidentEvent extends NewIncidentEvent {
  id: number;
}

export interface IncidentWithTimeline extends Incident {
  timeline: StoredIncidentEvent[];
}

/** Filters on `openedAt`. */
export interface IncidentFilter extends TimeWindow {
  service?: string;
  status?: IncidentStatus;
  /**
   * Only incidents after this one in the list's order (a page's cursor: the last id of the page
   * before). Ties on openedAt keep their append order, so no incident is skipped or listed twice;
   * an id the store does not have is refused with a RangeError.
   */
  after?: string;
}

export type JournalPhase = 'intent' | 'result';

export interface JournalEntry {
  runId: string;
  stepIndex: number;
  attempt: number;
  /** Deterministic per command (`incident:step:attempt`), so failover never repeats a step. */
  idempotencyKey: string;
  /** Intent is journaled before the step runs, result after. */
  phase: JournalPhase;
  at: number;
  payload: unknown;
}

export interface StoredJournalEntry extends JournalEntry {
  id: number;
}

/** How many engine snapshots saveSnapshot keeps: the newest, and a few to fall back on. */
export const SNAPSHOTS_KEPT = 3;

/** An engine input as recorded: any JSON object with its kind (policy's Input is one). */
export interface RecordedInput {
  kind: string;
}

/** What a decision said, as recorded (policy's Decision without its state). */
export interface RecordedDecision {
  commands: readonly unknown[];
  events: readonly unknown[];
  reasons: readonly unknown[];
}

export interface DecisionRecord {
  /** When the engine decided (its `now`): the record's time, and the commands' plannedAt. */
  at: number;
  input: RecordedInput;
  /** Only commands, events and reasons are kept; anything else on the object is not. */
  decision: RecordedDecision;
  /** The configuration the engine decided with. */
  configRevision: string;
  /** The signal the input carries, recorded with its evidence and linked to the input. */
  signal?: Signal;
  incidents?: DecisionIncidents;
  /** Rows for the commands the decision planned; a command id already planned is skipped. */
  commands?: readonly NewCommand[];
  /** The pending operator request this input applies; it becomes 'applied'. */
  operatorRequestId?: number;
}

/**
 * What a decision did to incidents, applied in this order: opened, events, resolved. Incidents
 * are named by the engine's id, which the engine never reuses, and the database holds it to that
 * (one incident per id): opening an id that is open changes nothing (a replica that lost the
 * race to open it), opening one that is resolved is refused, and so are events and resolutions
 * for an id the store does not have. Resolving a resolved incident changes nothing; a resolved
 * incident still takes events (an outcome that comes after it resolved). The 'opened' and
 * 'resolved' timeline events are written by `opened` and `resolved`: do not repeat them in
 * `events`.
 */
export interface DecisionIncidents {
  opened?: readonly OpenedIncident[];
  events?: readonly DecidedIncidentEvent[];
  resolved?: readonly ResolvedIncident[];
}

export interface OpenedIncident {
  /** The engine's incident id ("inc-7"): the incident's id in the store. */
  incidentId: string;
  service: string;
  title: string;
  openedAt: number;
  fields?: Record<string, unknown>;
}

export interface DecidedIncidentEvent {
  incidentId: string;
  at: number;
  type: string;
  payload: unknown;
}

export interface ResolvedIncident {
  incidentId: string;
  at: number;
  reason: string;
}

export interface StoredDecision {
  seq: number;
  at: number;
  kind: string;
  input: RecordedInput;
  decision: RecordedDecision;
  configRevision: string;
  /** The signal recorded with the input. */
  signalId?: number;
}

/** `afterSeq` is exclusive (the seq of a snapshot); `since`/`until` filter on `at`. */
export interface DecisionFilter {
  afterSeq?: number;
  since?: number;
  until?: number;
  limit?: number;
}

export interface EngineSnapshot {
  /** The last input the state includes (0: before any input). */
  inputSeq: number;
  at: number;
  /** The engine state as JSON; comes back as JSON.parse(JSON.stringify(state)). */
  state: unknown;
  configRevision: string;
}

export type CommandStatus = 'planned' | 'dispatched' | 'succeeded' | 'failed' | 'unknown';

export interface NewCommand {
  /** The command's idempotency key (`incident:step:attempt`). */
  id: string;
  kind: string;
  /** The engine's incident id, when the command is about one. */
  incidentId?: string;
  service?: string;
  payload: unknown;
}

export interface StoredCommand extends NewCommand {
  status: CommandStatus;
  /** The input whose decision planned it. */
  inputSeq: number;
  plannedAt: number;
  /** When the status last changed (plannedAt while planned). */
  updatedAt: number;
  detail?: string;
}

export interface CommandChange {
  status: Exclude<CommandStatus, 'planned'>;
  at: number;
  /** Replaces the detail kept so far; omitted, the detail kept stays. */
  detail?: string;
}

export interface CommandFilter {
  status?: CommandStatus;
  /** The engine's incident id. */
  incidentId?: string;
  limit?: number;
}
