import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { ID_TYPE, idColumn, makeAppendOnly, type SqlDialect } from './sql-dialect.ts';

/**
 * The decision record: every input the engine saw with the decision it produced, snapshots of
 * the engine's state to rebuild it from, the commands decisions planned, and the operator requests
 * CLI processes hand to a running controller. Portable SQL, as 0001.
 */
export function decisions(dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createEngineInputs(db, dialect);
      await createSnapshots(db, dialect);
      await createCommands(db);
      await createOperatorRequests(db, dialect);
      // Events and resolutions name an incident by the engine's id, which is its group key;
      // 0001 indexes the key only among open incidents.
      await db.schema
        .createIndex('incidents_group_key')
        .on('incidents')
        .columns(['group_key', 'id'])
        .execute();
    },
  };
}

async function createEngineInputs(db: Kysely<unknown>, dialect: SqlDialect) {
  // Replay reads these in seq order: the order the engine saw them, whatever their `at`.
  await db.schema
    .createTable('engine_inputs')
    .addColumn('seq', ID_TYPE[dialect], idColumn(dialect))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('config_revision', 'text', (c) => c.notNull())
    .addColumn('signal_id', 'bigint', (c) => c.references('signals.id'))
    .execute();
  await db.schema
    .createIndex('engine_inputs_at')
    .on('engine_inputs')
    .columns(['at', 'seq'])
    .execute();
  await makeAppendOnly(db, dialect, 'engine_inputs');
}

async function createSnapshots(db: Kysely<unknown>, dialect: SqlDialect) {
  await db.schema
    .createTable('engine_snapshots')
    .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
    // The last input the state includes: replay starts after it. 0 is the state before any.
    .addColumn('input_seq', 'bigint', (c) => c.notNull().check(sql`input_seq >= 0`))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('config_revision', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('engine_snapshots_input_seq')
    .on('engine_snapshots')
    .columns(['input_seq', 'id'])
    .execute();
}

async function createCommands(db: Kysely<unknown>) {
  await db.schema
    .createTable('commands')
    // The command's idempotency key: a command is planned once, however often it is decided.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    // The engine's incident id (incidents.group_key), not incidents.id.
    .addColumn('incident_key', 'text')
    .addColumn('service', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('planned', 'dispatched', 'succeeded', 'failed', 'unknown')`),
    )
    .addColumn('input_seq', 'bigint', (c) => c.notNull().references('engine_inputs.seq'))
    // Index among the decision's commands: the order they were decided in.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('planned_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('detail', 'text')
    .execute();
  await db.schema
    .createIndex('commands_status')
    .on('commands')
    .columns(['status', 'input_seq', 'position'])
    .execute();
  await db.schema
    .createIndex('commands_incident')
    .on('commands')
    .columns(['incident_key', 'input_seq', 'position'])
    .execute();
}

async function createOperatorRequests(db: Kysely<unknown>, dialect: SqlDialect) {
  await db.schema
    .createTable('operator_requests')
    .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('approval', 'breakerReset')`))
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'applied', 'rejected')`),
    )
    // The input that applied it (status 'applied' only).
    .addColumn('input_seq', 'bigint', (c) => c.references('engine_inputs.seq'))
    .addColumn('settled_at', 'bigint')
    .addColumn('detail', 'text')
    .addCheckConstraint(
      'operator_requests_settled',
      sql`(status = 'pending') = (settled_at is null) and (status = 'applied') = (input_seq is not null)`,
    )
    .execute();
  await db.schema
    .createIndex('operator_requests_status')
    .on('operator_requests')
    .columns(['status', 'id'])
    .execute();
}
