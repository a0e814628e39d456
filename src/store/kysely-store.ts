import { type Kysely, sql } from 'kysely';
import { FencedError } from './fenced-error.ts';
import { migrateToLatest } from './migrate.ts';
import { MIGRATION_TABLE } from './migrations/index.ts';
import type { SqlDialect } from './migrations/sql-dialect.ts';
import * as alerts from './queries/alert-queries.ts';
import * as audit from './queries/audit-queries.ts';
import * as commands from './queries/command-queries.ts';
import * as decisions from './queries/decision-queries.ts';
import * as incidents from './queries/incident-queries.ts';
import * as journal from './queries/journal-queries.ts';
import * as operator from './queries/operator-queries.ts';
import * as probeCursors from './queries/probe-cursor-queries.ts';
import * as replicas from './queries/replica-queries.ts';
import * as signals from './queries/signal-queries.ts';
import * as snapshots from './queries/snapshot-queries.ts';
import * as tokens from './queries/token-queries.ts';
import type { ReplicaStore } from './replica-records.ts';
import { integer } from './row-values.ts';
import type { StoreSchema } from './schema.ts';
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
  StoredToken,
} from './store.ts';
import { StoreError } from './store-error.ts';

export interface KyselyStoreOptions {
  db: Kysely<StoreSchema>;
  dialect: SqlDialect;
  /** Where the store lives, as messages should name it. */
  path: string;
  /** The driver's failures that are the database's (locked, full, ...) as StoreErrors. */
  classify(error: unknown): StoreError | undefined;
  /**
   * Asked before every call: a reason the database must not be used now (its file was deleted
   * or replaced), or undefined.
   */
  guard?: () => StoreError | undefined;
  /**
   * A number that changes whenever another connection (another process) commits to the database
   * (SQLite's `pragma data_version`); undefined for a database that has none (PostgreSQL). With
   * it, tokens found are kept between requests (see `findToken`).
   */
  dataVersion?: () => number;
}

/** Tokens found kept at most: an API has a few; an unknown hash is never kept. */
const TOKENS_KEPT = 64;

/** Tokens found, kept while nothing else wrote to the database (see `findToken`). */
interface TokensKept {
  version: number | undefined;
  byHash: Map<string, StoredToken & { hash: string }>;
}

/**
 * The leader's fencing token on a store (see `fenced`): the epoch its writes carry, and who to
 * tell when one is refused because another replica took the lease since.
 */
export interface Fence {
  epoch: number;
  refused(error: FencedError): void;
}

/** What a store and its fenced views share: one database, closed once. */
interface Shared {
  closed: boolean;
  tokens: TokensKept;
}

/**
 * The Store over Kysely: the queries are the same SQL for every database, so an implementation
 * is only how to connect and how to classify the driver's errors (SqliteStore, PostgresStore).
 */
export class KyselyStore implements Store {
  readonly #db: Kysely<StoreSchema>;
  readonly #dialect: SqlDialect;
  readonly #path: string;
  readonly #classify: (error: unknown) => StoreError | undefined;
  readonly #guard: () => StoreError | undefined;
  readonly #shared: Shared;
  readonly #fence: Fence | undefined;
  readonly #options: KyselyStoreOptions;

  constructor(
    options: KyselyStoreOptions,
    shared: Shared = { closed: false, tokens: { version: undefined, byHash: new Map() } },
    fence?: Fence,
  ) {
    this.#options = options;
    this.#db = options.db;
    this.#dialect = options.dialect;
    this.#path = options.path;
    this.#classify = options.classify;
    this.#guard = options.guard ?? (() => undefined);
    this.#shared = shared;
    this.#fence = fence;
  }

  /**
   * The same store, whose decision writes (recordDecision, updateCommand, markDispatched,
   * appendJournal, appendIncidentEvent, saveSnapshot, rejectOperatorRequest) each check, in
   * their own transaction, that the leader lease is still at `fence.epoch`: a leader that was
   * paused or cut off while another took over cannot record, dispatch or journal anything
   * (a FencedError, also told to `fence.refused`). Closing either closes both.
   */
  fenced(fence: Fence): KyselyStore {
    return new KyselyStore(this.#options, this.#shared, fence);
  }

  /** Membership, the leader lease and the followers' inbox, on this database. */
  replicas(): ReplicaStore {
    const dialect = this.#dialect;
    return {
      now: () => this.#run((db) => replicas.databaseNow(db, dialect)),
      heartbeat: (member, forgetAfterMs) =>
        this.#run((db) => replicas.heartbeat(db, dialect, member, forgetAfterMs)),
      listReplicas: () => this.#run((db) => replicas.listReplicas(db, dialect)),
      leave: (id) => this.#run((db) => replicas.leave(db, id)),
      campaign: (id, leaseMs) => this.#run((db) => replicas.campaign(db, dialect, id, leaseMs)),
      seize: (id, leaseMs) => this.#run((db) => replicas.seize(db, dialect, id, leaseMs)),
      renew: (id, epoch, leaseMs) =>
        this.#run((db) => replicas.renew(db, dialect, id, epoch, leaseMs)),
      release: (id, epoch) => this.#run((db) => replicas.release(db, id, epoch)),
      lease: () => this.#run((db) => replicas.readLease(db, dialect)),
      sendSignals: (from, signals) =>
        this.#run((db) => replicas.sendSignals(db, dialect, from, signals)),
      inbox: (limit) => this.#run((db) => replicas.inbox(db, limit)),
      dropFromInbox: (ids) => this.#run((db) => replicas.dropFromInbox(db, ids)),
      firingSignals: () => this.#run((db) => replicas.firingSignals(db)),
    };
  }

  /**
   * The database under the Store, for tools that work on whole tables (`mend store copy`): every
   * other use goes through the Store's methods. Refused once closed, as every call.
   */
  database(): { db: Kysely<StoreSchema>; dialect: SqlDialect; path: string } {
    if (this.#shared.closed) {
      throw new StoreError('unavailable', this.#path, `store ${this.#path} is closed`);
    }
    return { db: this.#db, dialect: this.#dialect, path: this.#path };
  }

  /** Turns a driver's failure into the StoreError it is (or returns it as it was). */
  classified(error: unknown): unknown {
    return error instanceof StoreError ? error : (this.#classify(error) ?? error);
  }

  migrate() {
    return this.#run((db) => migrateToLatest(db, this.#dialect, this.#path));
  }

  async ping() {
    // Reads a real table: `select 1` would not touch the database file at all.
    await this.#run((db) =>
      sql`select count(*) as migrations from ${sql.table(MIGRATION_TABLE)}`.execute(db),
    );
  }

  async close() {
    if (this.#shared.closed) return;
    this.#shared.closed = true;
    await this.#db.destroy();
  }

  listSignals(filter: SignalFilter = {}) {
    return this.#run((db) => signals.listSignals(db, filter));
  }

  recordAlerts(records: readonly AlertRecord[]) {
    return this.#run((db) => alerts.recordAlerts(db, records));
  }

  listAlerts(filter: AlertFilter = {}) {
    return this.#run((db) => alerts.listAlerts(db, filter));
  }

  saveProbeCursors(cursors: readonly ProbeCursor[]) {
    return this.#run((db) => probeCursors.saveProbeCursors(db, cursors));
  }

  listProbeCursors() {
    return this.#run((db) => probeCursors.listProbeCursors(db));
  }

  appendIncidentEvent(event: NewIncidentEvent) {
    return this.#fenced('an incident event', (db) => incidents.appendIncidentEvent(db, event));
  }

  getIncident(id: string) {
    return this.#run((db) => incidents.getIncident(db, id));
  }

  listIncidents(filter: IncidentFilter = {}) {
    return this.#run((db) => incidents.listIncidents(db, filter));
  }

  appendJournal(entry: JournalEntry) {
    return this.#fenced('a runbook journal entry', (db) => journal.appendJournal(db, entry));
  }

  listJournal(runId: string) {
    return this.#run((db) => journal.listJournal(db, runId));
  }

  latestPositions() {
    return this.#run(async (db) => {
      const decision = await db
        .selectFrom('engine_inputs')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .executeTakeFirst();
      const entry = await db
        .selectFrom('runbook_journal')
        .select((eb) => eb.fn.max('id').as('id'))
        .executeTakeFirst();
      return {
        seq: decision?.seq == null ? 0 : Number(decision.seq),
        journal: entry?.id == null ? 0 : Number(entry.id),
      };
    });
  }

  journalAfter(afterId: number, limit: number) {
    return this.#run((db) =>
      journal.journalAfter(db, integer('afterId', afterId), integer('limit', limit)),
    );
  }

  recordDecision(record: DecisionRecord) {
    return this.#fenced('a decision', (db) => decisions.recordDecision(db, record));
  }

  listDecisions(filter: DecisionFilter = {}) {
    return this.#run((db) => decisions.listDecisions(db, filter));
  }

  saveSnapshot(snapshot: EngineSnapshot) {
    return this.#fenced('an engine snapshot', (db) => snapshots.saveSnapshot(db, snapshot));
  }

  latestSnapshot() {
    return this.#run((db) => snapshots.latestSnapshot(db));
  }

  updateCommand(id: string, change: CommandChange) {
    return this.#fenced(`command ${id} ${change.status}`, (db) =>
      commands.updateCommand(db, id, change),
    );
  }

  markDispatched(id: string, at: number) {
    return this.#fenced(`the dispatch of ${id}`, (db) => commands.markDispatched(db, id, at));
  }

  listCommands(filter: CommandFilter = {}) {
    return this.#run((db) => commands.listCommands(db, filter));
  }

  addOperatorRequest(request: NewOperatorRequest, by?: Omit<AuditActor, 'actor'>) {
    return this.#run((db) => operator.addOperatorRequest(db, request, by));
  }

  pendingOperatorRequests() {
    return this.#run((db) => operator.pendingOperatorRequests(db));
  }

  getOperatorRequest(id: number) {
    return this.#run((db) => operator.getOperatorRequest(db, id));
  }

  rejectOperatorRequest(id: number, rejection: Rejection) {
    return this.#fenced(`rejecting operator request ${id}`, (db) =>
      operator.rejectOperatorRequest(db, id, rejection),
    );
  }

  appendAudit(entry: AuditEntry) {
    return this.#run((db) => audit.appendAudit(db, entry));
  }

  listAudit(filter: AuditFilter = {}) {
    return this.#run((db) => audit.listAudit(db, filter));
  }

  readAuditChain(page: AuditChainPage) {
    return this.#run((db) => audit.readAuditChain(db, page));
  }

  auditHead() {
    return this.#run((db) => audit.auditHead(db));
  }

  createToken(token: NewToken, by: AuditActor) {
    return this.#writingTokens(() => this.#run((db) => tokens.createToken(db, token, by)));
  }

  listTokens() {
    return this.#run((db) => tokens.listTokens(db));
  }

  /**
   * Asked at every authenticated request. Where the database says when another connection has
   * committed (SQLite's data_version), a token found is kept until anything else writes to the
   * database (a `mend token revoke` from another process, say) or this store writes a token: the
   * answer is then the one the table would give, for a few microseconds instead of a query
   * (about 45 us of a 700 us Alertmanager delivery on one connection, bench/README.md "Ingest").
   */
  findToken(hash: string) {
    return this.#run(async (db) => {
      const version = this.#options.dataVersion?.();
      if (version === undefined) return tokens.findToken(db, hash);
      const kept = this.#shared.tokens;
      if (kept.version !== version) {
        kept.byHash.clear();
        kept.version = version;
      }
      const known = kept.byHash.get(hash);
      if (known !== undefined) return { ...known };
      const found = await tokens.findToken(db, hash);
      // Kept only if nothing wrote while it was read (a token write of ours clears the version).
      if (
        found !== undefined &&
        kept.version === version &&
        this.#options.dataVersion?.() === version
      ) {
        if (kept.byHash.size >= TOKENS_KEPT) kept.byHash.clear();
        kept.byHash.set(hash, { ...found });
      }
      return found;
    });
  }

  revokeToken(name: string, at: number, by: AuditActor) {
    return this.#writingTokens(() => this.#run((db) => tokens.revokeToken(db, name, at, by)));
  }

  touchToken(name: string, at: number) {
    return this.#writingTokens(() => this.#run((db) => tokens.touchToken(db, name, at)));
  }

  /** A write of this connection's does not change data_version: tokens kept are dropped. */
  async #writingTokens<T>(write: () => Promise<T>): Promise<T> {
    const kept = this.#shared.tokens;
    kept.byHash.clear();
    kept.version = undefined;
    try {
      return await write();
    } finally {
      kept.byHash.clear();
      kept.version = undefined;
    }
  }

  /**
   * A decision write: under a fence, in a transaction that first checks the lease's epoch
   * (replica-queries.ts `checkEpoch`); the write's own queries join that transaction.
   */
  #fenced<T>(what: string, operation: (db: Kysely<StoreSchema>) => Promise<T>): Promise<T> {
    const fence = this.#fence;
    if (fence === undefined) return this.#run(operation);
    return this.#run(async (db) => {
      try {
        return await db.transaction().execute(async (trx) => {
          await replicas.checkEpoch(trx, this.#dialect, fence.epoch, what);
          return operation(trx);
        });
      } catch (error) {
        if (error instanceof FencedError) fence.refused(error);
        throw error;
      }
    });
  }

  /**
   * Every call goes through here: refused once closed or when the guard says so, database
   * failures as StoreErrors.
   */
  async #run<T>(operation: (db: Kysely<StoreSchema>) => Promise<T>): Promise<T> {
    if (this.#shared.closed) {
      throw new StoreError(
        'unavailable',
        this.#path,
        `store ${this.#path} is closed: a call came after close(); open the store again`,
      );
    }
    const refused = this.#guard();
    if (refused !== undefined) throw refused;
    try {
      return await operation(this.#db);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw this.#classify(error) ?? error;
    }
  }
}
