import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * One incident per engine id. The engine never reuses an id (its counter is rebuilt from the
 * recorded inputs), so the Store names an incident by it alone, and the database holds it to that:
 * group_key, where the id is kept, becomes unique. That index replaces 0001's (unique among open
 * incidents only) and 0002's (the key with the row id, to find a key's newest incident).
 */
export function oneIncidentPerId(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await refuseReusedIds(db);
      await db.schema
        .createIndex('incidents_one_per_id')
        .on('incidents')
        .column('group_key')
        .unique()
        .execute();
      await db.schema.dropIndex('incidents_one_open_per_group').execute();
      await db.schema.dropIndex('incidents_group_key').execute();
    },
  };
}

/** A clear refusal, naming the ids, instead of the unique index's failure to build. */
async function refuseReusedIds(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ group_key: string }>`
    select group_key from incidents group by group_key having count(*) > 1
    order by group_key limit 5`.execute(db);
  if (rows.length === 0) return;
  const ids = rows.map((row) => row.group_key).join(', ');
  throw new Error(
    `cannot upgrade the store: these incident ids each name more than one incident: ${ids}. An id now names exactly one, and mend's decision loop never gives one out twice, so these rows were written another way: keep this file for the mend that wrote it, and give \`mend run\` a new --db`,
  );
}
