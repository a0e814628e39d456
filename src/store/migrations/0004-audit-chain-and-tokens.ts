import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { auditHash, GENESIS_HASH } from '../audit-chain.ts';
import { fromJson, toNumber } from '../row-values.ts';
import {
  dropAppendOnly,
  ID_TYPE,
  idColumn,
  makeAppendOnly,
  type SqlDialect,
} from './sql-dialect.ts';

/**
 * The audit log becomes a hash chain (store/audit-chain.ts) with the API's fields (role, source
 * address, result, request id; `details` is now `params`), and API tokens get their table.
 *
 * Rows written before this migration are chained by it, in id order, so one chain covers the
 * whole log and `mend audit verify` has no unverified prefix. Their hashes are computed at the
 * upgrade: the chain proves they have not changed since then, not before. Their actions are
 * renamed to the vocabulary (operator.approval -> approval.approve / approval.deny,
 * operator.breakerReset -> breaker.reset) and given the result they had; their actors stay as
 * written.
 */
export function auditChainAndTokens(dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await extendAuditLog(db);
      const head = await chainExistingRows(db, dialect);
      await db.schema.createIndex('audit_log_seq').on('audit_log').column('seq').unique().execute();
      await db.schema
        .createIndex('audit_log_prev_hash')
        .on('audit_log')
        .column('prev_hash')
        .unique()
        .execute();
      await db.schema
        .createTable('audit_chain_head')
        .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await sql`insert into audit_chain_head (id, seq, hash) values (1, ${head.seq}, ${head.hash})`.execute(
        db,
      );
      await createTokens(db, dialect);
    },
  };
}

async function extendAuditLog(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log').renameColumn('details', 'params').execute();
  // One column per statement: SQLite adds one at a time. NOT NULL needs a default to add; every
  // row is given its real value below, and every later row by appendAudit.
  await db.schema.alterTable('audit_log').addColumn('role', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('source', 'text').execute();
  await db.schema
    .alterTable('audit_log')
    .addColumn('result', 'text', (c) => c.notNull().defaultTo('ok'))
    .execute();
  await db.schema.alterTable('audit_log').addColumn('request_id', 'text').execute();
  await db.schema
    .alterTable('audit_log')
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('audit_log')
    .addColumn('prev_hash', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('audit_log')
    .addColumn('hash', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}

interface OldRow {
  id: number | string;
  at: number | string;
  actor: string;
  action: string;
  target: string;
  params: string;
}

async function chainExistingRows(
  db: Kysely<unknown>,
  dialect: SqlDialect,
): Promise<{ seq: number; hash: string }> {
  const { rows } = await sql<OldRow>`
    select id, at, actor, action, target, params from audit_log order by id`.execute(db);
  let head = { seq: 0, hash: GENESIS_HASH };
  if (rows.length === 0) return head;
  await dropAppendOnly(db, dialect, 'audit_log');
  for (const row of rows) {
    const params = fromJson<unknown>(row.params);
    const { action, result } = inVocabulary(row.action, params);
    const seq = head.seq + 1;
    const hash = auditHash({
      seq,
      at: toNumber(row.at),
      actor: row.actor,
      action,
      target: row.target,
      params,
      result,
      prevHash: head.hash,
    });
    await sql`update audit_log set action = ${action}, result = ${result}, seq = ${seq},
      prev_hash = ${head.hash}, hash = ${hash} where id = ${toNumber(row.id)}`.execute(db);
    head = { seq, hash };
  }
  await makeAppendOnly(db, dialect, 'audit_log');
  return head;
}

/** An older row's action in the vocabulary, and the result it had. */
export function inVocabulary(
  action: string,
  params: unknown,
): { action: string; result: 'ok' | 'accepted' | 'failed' } {
  const field = (name: string) =>
    params !== null && typeof params === 'object'
      ? (params as Record<string, unknown>)[name]
      : undefined;
  switch (action) {
    case 'operator.approval':
      return {
        action: field('verdict') === 'approve' ? 'approval.approve' : 'approval.deny',
        result: 'accepted',
      };
    case 'operator.breakerReset':
      return { action: 'breaker.reset', result: 'accepted' };
    case 'runbook.outcome':
      return { action, result: field('result') === 'succeeded' ? 'ok' : 'failed' };
    case 'runbook.dry-run':
      return { action, result: field('errors') === undefined ? 'ok' : 'failed' };
    default:
      return { action, result: 'ok' };
  }
}

async function createTokens(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
    // Unique for ever, revoked or not: `token:NAME` in the audit log means one token.
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('viewer', 'operator', 'admin', 'ingest')`),
    )
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();
}
