import { type Kysely, sql } from 'kysely';
import type { KyselyStore } from './kysely-store.ts';
import type { SqlDialect } from './migrations/sql-dialect.ts';
import type { StoreSchema } from './schema.ts';
import { StoreError } from './store-error.ts';

/**
 * Every table of a store with the column its rows are read in order by, parents before the
 * tables that reference them. `audit_chain_head` is not here: the target's migration wrote it
 * (seq 0), and the copy sets it to the source's head at the end.
 */
export const TABLES = [
  { name: 'signals', key: 'id' },
  { name: 'observations', key: 'id' },
  { name: 'incidents', key: 'id' },
  { name: 'incident_events', key: 'id' },
  { name: 'runbook_journal', key: 'id' },
  { name: 'engine_inputs', key: 'seq' },
  { name: 'engine_snapshots', key: 'id' },
  { name: 'commands', key: 'id' },
  { name: 'operator_requests', key: 'id' },
  { name: 'audit_log', key: 'id' },
  { name: 'api_tokens', key: 'id' },
  { name: 'alerts', key: 'fingerprint' },
  { name: 'probe_cursors', key: 'check_key' },
] as const satisfies readonly { name: keyof StoreSchema; key: string }[];

/**
 * Tables a copy leaves behind: who runs on the store now (replicas, the leader lease, the
 * followers' inbox), not its history. The target's migration writes the lease row; the replicas
 * that run on the target write the rest.
 */
export const RUNTIME_TABLES = [
  'replicas',
  'leader_lease',
  'replica_signals',
] as const satisfies readonly (keyof StoreSchema)[];

/** The tables whose key the database assigns: the target's counter must continue after it. */
const ASSIGNED_KEYS = TABLES.filter(
  (table) => table.name !== 'commands' && table.name !== 'alerts' && table.name !== 'probe_cursors',
);

const PAGE = 500;

export interface CopyProgress {
  table: string;
  /** Rows of this table copied so far, and how many it has. */
  copied: number;
  total: number;
}

export interface CopyResult {
  rows: Record<string, number>;
  auditHead: { seq: number; hash: string };
}

/**
 * Copies every row of `from` into `to`, which must be a freshly migrated, empty store, keeping
 * every id (incidents, journal entries, decision seqs, audit rows), so timelines, references and
 * the audit hash chain come over intact and `mend audit verify` holds on the target. One
 * transaction on the target: a copy that fails leaves it empty. The source is only read; nobody
 * should write to it meanwhile (stop `mend run` first).
 */
export async function copyStore(
  from: KyselyStore,
  to: KyselyStore,
  progress: (step: CopyProgress) => void = () => {},
): Promise<CopyResult> {
  const source = from.database();
  const target = to.database();
  await refuseNonEmpty(target.db, target.path);
  const totals: Record<string, number> = {};
  for (const table of TABLES) totals[table.name] = await count(source.db, table.name);
  const head = await source.db
    .selectFrom('audit_chain_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  const counters = await nextIds(source.db, source.dialect);
  try {
    await target.db.transaction().execute(async (trx) => {
      for (const table of TABLES) {
        await copyTable(source.db, trx, table, totals[table.name] ?? 0, progress);
      }
      await trx
        .updateTable('audit_chain_head')
        .set({ seq: Number(head.seq), hash: head.hash })
        .where('id', '=', 1)
        .execute();
      if (target.dialect === 'postgres') await continueIdentities(trx, counters);
    });
  } catch (error) {
    throw to.classified(error);
  }
  return { rows: totals, auditHead: { seq: Number(head.seq), hash: head.hash } };
}

/** Tables are named from TABLES only; rows go over as the driver read them. */
type AnyTables = Record<string, Record<string, unknown>>;

async function copyTable(
  source: Kysely<StoreSchema>,
  target: Kysely<StoreSchema>,
  table: (typeof TABLES)[number],
  total: number,
  progress: (step: CopyProgress) => void,
): Promise<void> {
  const from = source as unknown as Kysely<AnyTables>;
  const to = target as unknown as Kysely<AnyTables>;
  let copied = 0;
  let after: unknown;
  progress({ table: table.name, copied, total });
  for (;;) {
    let query = from.selectFrom(table.name).selectAll().orderBy(table.key).limit(PAGE);
    if (after !== undefined) query = query.where(table.key, '>', after);
    const rows = await query.execute();
    if (rows.length === 0) break;
    await to.insertInto(table.name).values(rows).execute();
    copied += rows.length;
    after = rows.at(-1)?.[table.key];
    progress({ table: table.name, copied, total });
    if (rows.length < PAGE) break;
  }
}

async function count(db: Kysely<StoreSchema>, table: keyof StoreSchema): Promise<number> {
  const row = await (db as unknown as Kysely<AnyTables>)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function refuseNonEmpty(db: Kysely<StoreSchema>, path: string): Promise<void> {
  const filled: string[] = [];
  for (const table of TABLES) {
    const n = await count(db, table.name);
    if (n > 0) filled.push(`${table.name} (${n})`);
  }
  if (filled.length === 0) return;
  throw new StoreError(
    'unavailable',
    path,
    `store ${path} is not empty (${filled.join(', ')}): a copy goes into a new, empty store only, so that no history is mixed or overwritten; give --to a new database or schema`,
  );
}

/**
 * The next id each table would give. SQLite's AUTOINCREMENT counter is the highest id ever
 * given, which may be past the highest left (snapshots are pruned): carry it over, so no id is
 * given twice.
 */
async function nextIds(db: Kysely<StoreSchema>, dialect: SqlDialect): Promise<Map<string, number>> {
  const next = new Map<string, number>();
  for (const table of ASSIGNED_KEYS) {
    const { rows } = await sql<{ n: number | string | null }>`
      select max(${sql.ref(table.key)}) as n from ${sql.table(table.name)}`.execute(db);
    next.set(table.name, Number(rows[0]?.n ?? 0) + 1);
  }
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; seq: number }>`
      select name, seq from sqlite_sequence`.execute(db);
    for (const row of rows) {
      if (next.has(row.name)) next.set(row.name, Math.max(next.get(row.name) ?? 1, row.seq + 1));
    }
  }
  return next;
}

/** Explicit ids do not move an identity's sequence: set each to continue after the copy. */
async function continueIdentities(
  trx: Kysely<StoreSchema>,
  next: Map<string, number>,
): Promise<void> {
  for (const table of ASSIGNED_KEYS) {
    await sql`select setval(pg_get_serial_sequence(${table.name}, ${table.key}), ${next.get(table.name) ?? 1}, false)`.execute(
      trx,
    );
  }
}
