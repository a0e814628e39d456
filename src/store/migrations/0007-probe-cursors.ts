import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Where each check's probe got to in what it reads (a followed log file: its identity and
 * offset), so a restarted mend goes on from there instead of reading old lines again. One row per
 * check, overwritten; not history, so not in the decision record.
 */
export function probeCursors(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('probe_cursors')
        .addColumn('check_key', 'text', (c) => c.primaryKey())
        .addColumn('cursor', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
