import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { ID_TYPE, idColumn, type SqlDialect } from './sql-dialect.ts';

/**
 * Several `mend run` replicas on one PostgreSQL store (docs/replicas.md). SQLite migrates them
 * too, so both databases keep one schema; there one runner owns the store and they stay empty.
 *
 * - `replicas`: one row per replica, its heartbeat; a row older than the lease is a replica gone.
 * - `leader_lease`: one row, the leader and its fencing token (`epoch`, +1 on every takeover).
 *   Every decision, command and journal write checks the epoch in its own transaction.
 * - `replica_signals`: the leader's inbox, signals the followers detected on their share.
 */
export function replicas(dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('replicas')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('pid', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
        // How many checks it probes now (its share), as it last said.
        .addColumn('checks', 'integer', (c) => c.notNull())
        // Where its API listens, for `mend status` (null: it serves none).
        .addColumn('address', 'text')
        .execute();
      await db.schema
        .createTable('leader_lease')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        // Null: nobody leads (none yet, or the last leader let go).
        .addColumn('holder', 'text')
        .addColumn('epoch', 'bigint', (c) => c.notNull())
        .addColumn('acquired_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db
        .insertInto('leader_lease' as never)
        .values({ id: 1, holder: null, epoch: 0, acquired_at: 0, expires_at: 0 } as never)
        .execute();
      await db.schema
        .createTable('replica_signals')
        .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
        .addColumn('from_replica', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'bigint', (c) => c.notNull())
        .addColumn('signal', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
