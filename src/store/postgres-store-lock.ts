import pg from 'pg';
import { classifyPostgresError, noSchemaError } from './postgres-errors.ts';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './postgres-store.ts';
import { redactedUrl } from './postgres-url.ts';
import { StoreError } from './store-error.ts';
import {
  currentOwner,
  describeOwner,
  isLockOwner,
  type LockOwner,
  type StoreLock,
  StoreLockedError,
} from './store-lock.ts';

/** The table beside the store's where the runner writes who it is (one row, or none). */
export const RUNNER_TABLE = 'mend_runner';

/**
 * The first key of mend's advisory locks (the second is the schema's hash): a constant of its own
 * so that mend's locks do not meet another application's in the same database.
 */
const LOCK_CLASS = 0x6d656e64; // 'mend'

/**
 * Takes the runner lock of a PostgreSQL store: a session-level advisory lock
 * (pg_try_advisory_lock) on a connection of its own, held for as long as this process runs. The
 * server drops it when the session ends, however it ends (the process SIGKILLed, its host gone,
 * the connection cut): a stale lock cannot exist. One lock per database and schema, so stores in
 * two schemas of one database are two stores. The holder writes its details in RUNNER_TABLE
 * while it holds the lock, so a refused runner can name it.
 */
export async function acquirePostgresStoreLock(
  url: string,
  owner: LockOwner = currentOwner(),
  options: { replica?: boolean } = {},
): Promise<StoreLock> {
  if (options.replica === true) return acquireReplicaLock(url, owner);
  const name = redactedUrl(url);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'mend runner lock',
  });
  const lock = new PostgresStoreLock(client, name, owner);
  try {
    await client.connect();
    await refuseMissingSchema(client, name);
    const { rows } = await client.query<{ locked: boolean }>(
      `select pg_try_advisory_lock(${LOCK_CLASS}, hashtext(current_schema())) as locked`,
    );
    if (rows[0]?.locked !== true) throw await refusal(client, name);
    // Created here, not by a migration: the lock is taken before the store is opened. Only when
    // missing: a role without CREATE on the schema (docs/store.md) could not run even an
    // IF NOT EXISTS.
    const { rows: existing } = await client.query<{ found: string | null }>(
      `select to_regclass('${RUNNER_TABLE}')::text as found`,
    );
    if (existing[0]?.found == null) {
      await client.query(
        `create table if not exists ${RUNNER_TABLE} (id integer primary key check (id = 1), details text not null)`,
      );
    }
    await client.query(
      `insert into ${RUNNER_TABLE} (id, details) values (1, $1)
       on conflict (id) do update set details = excluded.details`,
      [JSON.stringify(owner)],
    );
    return lock;
  } catch (error) {
    await client.end().catch(() => {});
    if (error instanceof StoreLockedError || error instanceof StoreError) throw error;
    throw classifyPostgresError(error, name) ?? error;
  }
}

/**
 * A replica's share of the runner lock: the same advisory lock, taken shared
 * (pg_try_advisory_lock_shared). Replicas hold it side by side; a runner that is not a replica
 * (an exclusive holder) keeps them all out, and they keep it out. Replicas coordinate among
 * themselves through the store (membership, the leader lease and its epoch: src/replicas).
 */
async function acquireReplicaLock(url: string, owner: LockOwner): Promise<StoreLock> {
  const name = redactedUrl(url);
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: DEFAULT_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'mend replica lock',
  });
  const lock = new PostgresStoreLock(client, name, owner, false);
  try {
    await client.connect();
    await refuseMissingSchema(client, name);
    const { rows } = await client.query<{ locked: boolean }>(
      `select pg_try_advisory_lock_shared(${LOCK_CLASS}, hashtext(current_schema())) as locked`,
    );
    if (rows[0]?.locked !== true) {
      const holder = await readOwner(client);
      throw new StoreLockedError(
        `store ${name} is in use by a mend that is not a replica (${holder ? describeOwner(holder) : 'its details could not be read'}): replicas cannot join it. Stop it and start it again with --replica (or Settings replicas.enabled), or pass --db to use another database or schema.`,
        holder,
      );
    }
    return lock;
  } catch (error) {
    await client.end().catch(() => {});
    if (error instanceof StoreLockedError || error instanceof StoreError) throw error;
    throw classifyPostgresError(error, name) ?? error;
  }
}

class PostgresStoreLock implements StoreLock {
  readonly owner: LockOwner;
  readonly #client: pg.Client;
  readonly #name: string;
  /** Whether it wrote RUNNER_TABLE (the exclusive holder does; replicas are in `replicas`). */
  readonly #writesOwner: boolean;
  #lost: string | undefined;
  #released = false;

  constructor(client: pg.Client, name: string, owner: LockOwner, writesOwner = true) {
    this.#client = client;
    this.#writesOwner = writesOwner;
    this.#name = name;
    this.owner = owner;
    // The lock lives as long as this session: once it is gone, so is the lock.
    const lost = (why: string) => {
      if (!this.#released) this.#lost ??= why;
    };
    client.on('error', (error) => lost(error.message));
    client.on('end', () => lost('the connection ended'));
  }

  problem(): string | undefined {
    if (this.#lost === undefined) return undefined;
    return `the connection holding the runner lock of ${this.#name} was lost (${this.#lost}): another mend could start on this store now; restart mend`;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    if (this.#lost === undefined && this.#writesOwner) {
      try {
        // Nobody holds it now; the details of a process gone would only mislead whoever looks.
        await this.#client.query(`delete from ${RUNNER_TABLE}`);
      } catch {
        // The session ending lets go of the lock all the same.
      }
    }
    await this.#client.end().catch(() => {});
  }
}

/** A search_path naming no schema that exists would lock nothing (hashtext(null)). */
async function refuseMissingSchema(client: pg.Client, name: string): Promise<void> {
  const { rows } = await client.query<{ schema: string | null }>(
    'select current_schema() as schema',
  );
  if (rows[0]?.schema != null) return;
  throw noSchemaError(name);
}

async function refusal(client: pg.Client, name: string): Promise<StoreLockedError> {
  const owner = await readOwner(client);
  const who = owner
    ? describeOwner(owner)
    : 'its details could not be read: it may be starting right now, or replicas run on it (mend status --db ... lists them)';
  return new StoreLockedError(
    `store ${name} is in use by another mend (${who}): one mend runs on a store at a time. Stop that one first, or pass --db to use another database or schema. Commands that read the store, and approve, deny and breaker reset, work beside it.`,
    owner,
  );
}

async function readOwner(client: pg.Client): Promise<LockOwner | undefined> {
  try {
    const { rows } = await client.query<{ details: string }>(
      `select details from ${RUNNER_TABLE} where id = 1`,
    );
    const details = rows[0] === undefined ? undefined : JSON.parse(rows[0].details);
    return isLockOwner(details) ? details : undefined;
  } catch {
    return undefined;
  }
}
