import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely';

/**
 * The databases mend's migrations run on. Everything else in them is SQL both accept; the two
 * things that cannot be said the same way are here, side by side.
 */
export type SqlDialect = 'sqlite' | 'postgres';

/** Column type of an id the database assigns (foreign keys to it use bigint on both). */
export const ID_TYPE = { sqlite: 'integer', postgres: 'bigint' } as const;

/**
 * An increasing id. SQLite needs exactly `integer primary key` (the rowid) and AUTOINCREMENT so
 * ids are never reused; PostgreSQL's standard form is an identity column.
 */
export function idColumn(dialect: SqlDialect) {
  return (column: ColumnDefinitionBuilder) =>
    dialect === 'sqlite'
      ? column.primaryKey().autoIncrement()
      : column.primaryKey().generatedByDefaultAsIdentity();
}

/**
 * Makes a table refuse UPDATE and DELETE inside the database, so not even a hand-run query or a
 * bug in mend can rewrite history.
 */
export async function makeAppendOnly(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  table: string,
): Promise<void> {
  const message = sql.lit(`${table} is append-only`);
  const name = (suffix: string) => sql.id(`${table}_${suffix}`);
  if (dialect === 'sqlite') {
    for (const event of ['update', 'delete'] as const) {
      await sql`create trigger ${name(`no_${event}`)} before ${sql.raw(event)} on ${sql.table(table)}
        begin select raise(abort, ${message}); end`.execute(db);
    }
    return;
  }
  await sql`create function ${name('refuse_change')}() returns trigger language plpgsql as
    $$ begin raise exception ${message}; end $$`.execute(db);
  await sql`create trigger ${name('no_change')} before update or delete on ${sql.table(table)}
    for each row execute function ${name('refuse_change')}()`.execute(db);
  await sql`create trigger ${name('no_truncate')} before truncate on ${sql.table(table)}
    for each statement execute function ${name('refuse_change')}()`.execute(db);
}

/**
 * Undoes makeAppendOnly, for a migration that must rewrite history once (0004 chains the rows
 * written before the chain): it drops the triggers, rewrites, and calls makeAppendOnly again, in
 * the migration's one transaction.
 */
export async function dropAppendOnly(
  db: Kysely<unknown>,
  dialect: SqlDialect,
  table: string,
): Promise<void> {
  const name = (suffix: string) => sql.id(`${table}_${suffix}`);
  if (dialect === 'sqlite') {
    for (const event of ['update', 'delete'] as const) {
      await sql`drop trigger ${name(`no_${event}`)}`.execute(db);
    }
    return;
  }
  await sql`drop trigger ${name('no_change')} on ${sql.table(table)}`.execute(db);
  await sql`drop trigger ${name('no_truncate')} on ${sql.table(table)}`.execute(db);
  await sql`drop function ${name('refuse_change')}()`.execute(db);
}
