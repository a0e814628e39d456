import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Alerts received (Alertmanager's webhook): one row per fingerprint, its latest state. It is what
 * makes a delivery idempotent and ordered (a re-send or an HA peer's copy changes nothing; a
 * firing older than the resolution kept is stale) and what shows the alerts no Service selects.
 * The signals that alerts become are recorded with the decisions, like a probe's.
 */
export function alerts(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('alerts')
        .addColumn('fingerprint', 'text', (c) => c.primaryKey())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('firing', 'resolved')`),
        )
        // Null: no Service selects it.
        .addColumn('service', 'text')
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('annotations', 'text', (c) => c.notNull())
        .addColumn('generator_url', 'text', (c) => c.notNull())
        .addColumn('receiver', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint')
        // The time of its last change of state (startsAt when firing, endsAt when resolved):
        // what orders two deliveries of one alert.
        .addColumn('changed_at', 'bigint', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('alerts_received_at')
        .on('alerts')
        .columns(['received_at', 'fingerprint'])
        .execute();
    },
  };
}
