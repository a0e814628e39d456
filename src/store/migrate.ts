import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, storeMigrations } from './migrations/index.ts';
import type { SqlDialect } from './migrations/sql-dialect.ts';
import { noSchemaError } from './postgres-errors.ts';
import { StoreError } from './store-error.ts';

/**
 * Brings a database to the latest schema, all pending migrations in one transaction. A database
 * that has run a migration this build does not know was written by a newer mend: running on it
 * could misread what it holds, so it is refused with a message saying so.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  dialect: SqlDialect,
  path: string,
): Promise<void> {
  const schema = dialect === 'postgres' ? await currentSchema(db, path) : undefined;
  const migrator = new Migrator({
    db,
    provider: storeMigrations(dialect),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    // Named, on PostgreSQL: without it the Migrator looks for its tables in every schema of the
    // database, and a mend store in another schema would make it think this one has them.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateToLatest();
  if (error === undefined) return;
  // Kysely reports this case only through its message.
  const unknown = /previously executed migration (\S+) is missing/.exec(String(error));
  if (unknown !== null) {
    throw new StoreError(
      'unavailable',
      path,
      `store ${path} has schema migration ${unknown[1]}, which this mend does not know: it was written by a newer mend; run that version, or pass --db to use another file`,
      { cause: error },
    );
  }
  throw error;
}

/** The schema the store's tables go in: the first of the search_path that exists. */
async function currentSchema<DB>(db: Kysely<DB>, path: string): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  );
  const schema = rows[0]?.schema;
  if (schema != null) return schema;
  throw noSchemaError(path);
}
