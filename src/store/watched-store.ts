import type {
  AlertFilter,
  AlertRecord,
  AuditActor,
  AuditChainPage,
  AuditEntry,
  AuditFilter,
  CommandChange,
  CommandFilter,
  DecisionFilter,
  DecisionRecord,
  EngineSnapshot,
  IncidentFilter,
  JournalEntry,
  NewIncidentEvent,
  NewOperatorRequest,
  NewToken,
  ProbeCursor,
  Rejection,
  SignalFilter,
  Store,
} from './store.ts';
import { StoreError } from './store-error.ts';

/** How long one write took, from call to answer (or failure), by operation (`record_decision`). */
export type WriteTimer = (operation: string, seconds: number) => void;

/**
 * The store as the running controller uses it: every call as the store answers it, and each
 * StoreError (the database failing: full, read-only, locked, its file deleted, ...) also told to
 * `failed`, so that one place learns of an outage whichever part of mend met it first. Each write
 * is timed for `timed` (mend_store_write_duration_seconds): a store slowing down shows before it
 * fails.
 */
export function watchStore(
  store: Store,
  failed: (error: StoreError) => void,
  timed: WriteTimer = () => {},
): Store {
  return new WatchedStore(store, failed, timed);
}

class WatchedStore implements Store {
  readonly #store: Store;
  readonly #failed: (error: StoreError) => void;
  readonly #timed: WriteTimer;

  constructor(store: Store, failed: (error: StoreError) => void, timed: WriteTimer) {
    this.#store = store;
    this.#failed = failed;
    this.#timed = timed;
  }

  async #watch<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof StoreError) this.#failed(error);
      throw error;
    }
  }

  async #write<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await this.#watch(call());
    } finally {
      this.#timed(operation, (performance.now() - start) / 1000);
    }
  }

  migrate = () => this.#watch(this.#store.migrate());
  ping = () => this.#watch(this.#store.ping());
  close = () => this.#store.close();
  listSignals = (filter?: SignalFilter) => this.#watch(this.#store.listSignals(filter));
  recordAlerts = (alerts: readonly AlertRecord[]) =>
    this.#write('record_alerts', () => this.#store.recordAlerts(alerts));
  listAlerts = (filter?: AlertFilter) => this.#watch(this.#store.listAlerts(filter));
  saveProbeCursors = (cursors: readonly ProbeCursor[]) =>
    this.#write('save_probe_cursors', () => this.#store.saveProbeCursors(cursors));
  listProbeCursors = () => this.#watch(this.#store.listProbeCursors());
  appendIncidentEvent = (event: NewIncidentEvent) =>
    this.#write('append_incident_event', () => this.#store.appendIncidentEvent(event));
  getIncident = (id: string) => this.#watch(this.#store.getIncident(id));
  listIncidents = (filter?: IncidentFilter) => this.#watch(this.#store.listIncidents(filter));
  appendJournal = (entry: JournalEntry) =>
    this.#write('append_journal', () => this.#store.appendJournal(entry));
  listJournal = (runId: string) => this.#watch(this.#store.listJournal(runId));
  recordDecision = (record: DecisionRecord) =>
    this.#write('record_decision', () => this.#store.recordDecision(record));
  listDecisions = (filter?: DecisionFilter) => this.#watch(this.#store.listDecisions(filter));
  saveSnapshot = (snapshot: EngineSnapshot) =>
    this.#write('save_snapshot', () => this.#store.saveSnapshot(snapshot));
  latestSnapshot = () => this.#watch(this.#store.latestSnapshot());
  updateCommand = (id: string, change: CommandChange) =>
    this.#write('update_command', () => this.#store.updateCommand(id, change));
  markDispatched = (id: string, at: number) =>
    this.#write('mark_dispatched', () => this.#store.markDispatched(id, at));
  listCommands = (filter?: CommandFilter) => this.#watch(this.#store.listCommands(filter));
  journalAfter = (afterId: number, limit: number) =>
    this.#watch(this.#store.journalAfter(afterId, limit));
  latestPositions = () => this.#watch(this.#store.latestPositions());
  addOperatorRequest = (request: NewOperatorRequest, by?: Omit<AuditActor, 'actor'>) =>
    this.#write('add_operator_request', () => this.#store.addOperatorRequest(request, by));
  pendingOperatorRequests = () => this.#watch(this.#store.pendingOperatorRequests());
  getOperatorRequest = (id: number) => this.#watch(this.#store.getOperatorRequest(id));
  rejectOperatorRequest = (id: number, rejection: Rejection) =>
    this.#write('reject_operator_request', () => this.#store.rejectOperatorRequest(id, rejection));
  appendAudit = (entry: AuditEntry) =>
    this.#write('append_audit', () => this.#store.appendAudit(entry));
  listAudit = (filter?: AuditFilter) => this.#watch(this.#store.listAudit(filter));
  readAuditChain = (page: AuditChainPage) => this.#watch(this.#store.readAuditChain(page));
  auditHead = () => this.#watch(this.#store.auditHead());
  createToken = (token: NewToken, by: AuditActor) =>
    this.#write('create_token', () => this.#store.createToken(token, by));
  listTokens = () => this.#watch(this.#store.listTokens());
  findToken = (hash: string) => this.#watch(this.#store.findToken(hash));
  revokeToken = (name: string, at: number, by: AuditActor) =>
    this.#write('revoke_token', () => this.#store.revokeToken(name, at, by));
  touchToken = (name: string, at: number) =>
    this.#write('touch_token', () => this.#store.touchToken(name, at));
}
