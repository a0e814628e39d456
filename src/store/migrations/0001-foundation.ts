import { type Kysely, type SqlBool, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { ID_TYPE, idColumn, makeAppendOnly, type SqlDialect } from './sql-dialect.ts';

/**
 * The first schema. Portable SQL: text, integer, bigint (epoch ms), double precision, JSON as
 * text; the id column and the append-only triggers come from sql-dialect.ts.
 */
export function foundation(dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createSignals(db, dialect);
      await createIncidents(db, dialect);
      await createJournal(db, dialect);
      await createAudit(db, dialect);
    },
  };
}

async function createSignals(db: Kysely<unknown>, dialect: SqlDialect) {
  // Transitions only: one row per change of state, never one per probe run.
  await db.schema
    .createTable('signals')
    .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('check_name', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('firing', 'resolved')`))
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('signals_at').on('signals').columns(['at', 'id']).execute();
  await db.schema
    .createIndex('signals_service_at')
    .on('signals')
    .columns(['service', 'at', 'id'])
    .execute();
  await db.schema
    .createIndex('signals_fingerprint_at')
    .on('signals')
    .columns(['fingerprint', 'at'])
    .execute();

  // Only the bounded evidence a signal carries; deleted with its signal when retention comes.
  await db.schema
    .createTable('observations')
    .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
    .addColumn('signal_id', 'bigint', (c) =>
      c.notNull().references('signals.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'double precision', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull().check(sql`ok in (0, 1)`))
    .addColumn('error', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addUniqueConstraint('observations_signal_position', ['signal_id', 'position'])
    .execute();
}

async function createIncidents(db: Kysely<unknown>, dialect: SqlDialect) {
  await db.schema
    .createTable('incidents')
    .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'resolved')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('fields', 'text', (c) => c.notNull())
    .addCheckConstraint('incidents_resolved_at', sql`(status = 'open') = (resolved_at is null)`)
    .execute();
  // At most one open incident per group (0003 replaces it: one incident per engine id).
  await db.schema
    .createIndex('incidents_one_open_per_group')
    .on('incidents')
    .column('group_key')
    .unique()
    .where(sql<SqlBool>`status = 'open'`)
    .execute();
  await db.schema
    .createIndex('incidents_opened_at')
    .on('incidents')
    .columns(['opened_at', 'id'])
    .execute();
  await db.schema
    .createIndex('incidents_service_opened_at')
    .on('incidents')
    .columns(['service', 'opened_at'])
    .execute();

  await db.schema
    .createTable('incident_events')
    .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
    .addColumn('incident_id', 'bigint', (c) =>
      c.notNull().references('incidents.id').onDelete('cascade'),
    )
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('incident_events_timeline')
    .on('incident_events')
    .columns(['incident_id', 'at', 'id'])
    .execute();
}

async function createJournal(db: Kysely<unknown>, dialect: SqlDialect) {
  await db.schema
    .createTable('runbook_journal')
    .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'bigint', (c) => c.references('incidents.id'))
    .addColumn('step_index', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull().check(sql`phase in ('intent', 'result')`))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    // One intent and one result per command: what makes a repeated step detectable.
    .addUniqueConstraint('runbook_journal_key_phase', ['idempotency_key', 'phase'])
    .execute();
  await db.schema
    .createIndex('runbook_journal_run')
    .on('runbook_journal')
    .columns(['run_id', 'id'])
    .execute();
}

async function createAudit(db: Kysely<unknown>, dialect: SqlDialect) {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
  await makeAppendOnly(db, dialect, 'audit_log');
}
