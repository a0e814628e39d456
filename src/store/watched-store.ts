import type {
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
  Rejection,
  SignalFilter,
  Store,
} from './store.ts';
import { StoreError } from './store-error.ts';

/**
 * The store as the running controller uses it: every call as the store answers it, and each
 * StoreError (the database failing: full, read-only, locked, its file deleted, ...) also told to
 * `failed`, so that one place learns of an outage whichever part of mend met it first.
 */
export function watchStore(store: Store, failed: (error: StoreError) => void): Store {
  return new WatchedStore(store, failed);
}

class WatchedStore implements Store {
  readonly #store: Store;
  readonly #failed: (error: StoreError) => void;

  constructor(store: Store, failed: (error: StoreError) => void) {
    this.#store = store;
    this.#failed = failed;
  }

  async #watch<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      if (error instanceof StoreError) this.#failed(error);
      throw error;
    }
  }

  migrate = () => this.#watch(this.#store.migrate());
  ping = () => this.#watch(this.#store.ping());
  close = () => this.#store.close();
  listSignals = (filter?: SignalFilter) => this.#watch(this.#store.listSignals(filter));
  appendIncidentEvent = (event: NewIncidentEvent) =>
    this.#watch(this.#store.appendIncidentEvent(event));
  getIncident = (id: string) => this.#watch(this.#store.getIncident(id));
  listIncidents = (filter?: IncidentFilter) => this.#watch(this.#store.listIncidents(filter));
  appendJournal = (entry: JournalEntry) => this.#watch(this.#store.appendJournal(entry));
  listJournal = (runId: string) => this.#watch(this.#store.listJournal(runId));
  recordDecision = (record: DecisionRecord) => this.#watch(this.#store.recordDecision(record));
  listDecisions = (filter?: DecisionFilter) => this.#watch(this.#store.listDecisions(filter));
  saveSnapshot = (snapshot: EngineSnapshot) => this.#watch(this.#store.saveSnapshot(snapshot));
  latestSnapshot = () => this.#watch(this.#store.latestSnapshot());
  updateCommand = (id: string, change: CommandChange) =>
    this.#watch(this.#store.updateCommand(id, change));
  markDispatched = (id: string, at: number) => this.#watch(this.#store.markDispatched(id, at));
  listCommands = (filter?: CommandFilter) => this.#watch(this.#store.listCommands(filter));
  journalAfter = (afterId: number, limit: number) =>
    this.#watch(this.#store.journalAfter(afterId, limit));
  latestPositions = () => this.#watch(this.#store.latestPositions());
  addOperatorRequest = (request: NewOperatorRequest, by?: Omit<AuditActor, 'actor'>) =>
    this.#watch(this.#store.addOperatorRequest(request, by));
  pendingOperatorRequests = () => this.#watch(this.#store.pendingOperatorRequests());
  getOperatorRequest = (id: number) => this.#watch(this.#store.getOperatorRequest(id));
  rejectOperatorRequest = (id: number, rejection: Rejection) =>
    this.#watch(this.#store.rejectOperatorRequest(id, rejection));
  appendAudit = (entry: AuditEntry) => this.#watch(this.#store.appendAudit(entry));
  listAudit = (filter?: AuditFilter) => this.#watch(this.#store.listAudit(filter));
  readAuditChain = (page: AuditChainPage) => this.#watch(this.#store.readAuditChain(page));
  auditHead = () => this.#watch(this.#store.auditHead());
  createToken = (token: NewToken, by: AuditActor) =>
    this.#watch(this.#store.createToken(token, by));
  listTokens = () => this.#watch(this.#store.listTokens());
  findToken = (hash: string) => this.#watch(this.#store.findToken(hash));
  revokeToken = (name: string, at: number, by: AuditActor) =>
    this.#watch(this.#store.revokeToken(name, at, by));
  touchToken = (name: string, at: number) => this.#watch(this.#store.touchToken(name, at));
}
