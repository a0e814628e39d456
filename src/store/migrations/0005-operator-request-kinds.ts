import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { ID_TYPE, idColumn, type SqlDialect } from './sql-dialect.ts';

/**
 * Operator requests of any kind mend knows: 0002 admitted only approvals and breaker resets in a
 * CHECK, and every new kind (silences now, runbook runs next) would need this again. The kinds
 * are checked where requests are written and read (decision-rows.ts), which names the kind a
 * newer mend wrote instead of failing a constraint. SQLite cannot drop a CHECK: the table is
 * rebuilt with its rows, its ids and AUTOINCREMENT's counter.
 */
export function operatorRequestKinds(dialect: SqlDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres') {
        await sql`alter table operator_requests drop constraint operator_requests_kind_check`.execute(
          db,
        );
        return;
      }
      await db.schema
        .createTable('operator_requests_next')
        .addColumn('id', ID_TYPE[dialect], idColumn(dialect))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind <> ''`))
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'applied', 'rejected')`),
        )
        .addColumn('input_seq', 'bigint', (c) => c.references('engine_inputs.seq'))
        .addColumn('settled_at', 'bigint')
        .addColumn('detail', 'text')
        .addCheckConstraint(
          'operator_requests_settled',
          sql`(status = 'pending') = (settled_at is null) and (status = 'applied') = (input_seq is not null)`,
        )
        .execute();
      await sql`insert into operator_requests_next
        (id, at, actor, kind, payload, status, input_seq, settled_at, detail)
        select id, at, actor, kind, payload, status, input_seq, settled_at, detail
        from operator_requests order by id`.execute(db);
      // AUTOINCREMENT's counter is the highest id ever given, not the highest left: carry it
      // over, or the id of a request deleted by hand (or the last one) would be given again.
      await sql`delete from sqlite_sequence where name = 'operator_requests_next'`.execute(db);
      await sql`insert into sqlite_sequence (name, seq)
        select 'operator_requests_next', seq from sqlite_sequence where name = 'operator_requests'`.execute(
        db,
      );
      await db.schema.dropTable('operator_requests').execute();
      await sql`alter table operator_requests_next rename to operator_requests`.execute(db);
      await db.schema
        .createIndex('operator_requests_status')
        .on('operator_requests')
        .columns(['status', 'id'])
        .execute();
    },
  };
}
