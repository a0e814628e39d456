import type { Kysely } from 'kysely';
import { alertRow, isStale, storedAlert } from '../alert-rows.ts';
import { toNumber } from '../row-values.ts';
import type { StoreSchema } from '../schema.ts';
import type { AlertFilter, AlertRecord, AlertWrite } from '../store.ts';

/** SQLite binds at most 32766 variables a statement; an alert row takes 12. */
const ROWS_PER_INSERT = 500;

export async function recordAlerts(
  db: Kysely<StoreSchema>,
  alerts: readonly AlertRecord[],
): Promise<AlertWrite[]> {
  // Serialised first: a value that cannot be stored fails before the transaction starts.
  const rows = alerts.map(alertRow);
  if (rows.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const kept = new Map<string, { status: AlertRecord['status']; changedAt: number }>();
    const fingerprints = [...new Set(rows.map((row) => row.fingerprint))];
    for (let i = 0; i < fingerprints.length; i += ROWS_PER_INSERT) {
      const found = await trx
        .selectFrom('alerts')
        .select(['fingerprint', 'status', 'changed_at'])
        .where('fingerprint', 'in', fingerprints.slice(i, i + ROWS_PER_INSERT))
        .execute();
      for (const row of found) {
        kept.set(row.fingerprint, {
          status: row.status as AlertRecord['status'],
          changedAt: toNumber(row.changed_at),
        });
      }
    }
    const writes: AlertWrite[] = [];
    const latest = new Map<string, (typeof rows)[number]>();
    alerts.forEach((alert, i) => {
      const before = kept.get(alert.fingerprint);
      if (before !== undefined && isStale(before, alert)) {
        writes.push('stale');
        return;
      }
      const row = rows[i]!;
      kept.set(alert.fingerprint, { status: alert.status, changedAt: Number(row.changed_at) });
      latest.set(alert.fingerprint, row);
      writes.push('kept');
    });
    const upserts = [...latest.values()];
    for (let i = 0; i < upserts.length; i += ROWS_PER_INSERT) {
      await trx
        .insertInto('alerts')
        .values(upserts.slice(i, i + ROWS_PER_INSERT))
        .onConflict((conflict) =>
          conflict.column('fingerprint').doUpdateSet((eb) => ({
            source: eb.ref('excluded.source'),
            status: eb.ref('excluded.status'),
            service: eb.ref('excluded.service'),
            labels: eb.ref('excluded.labels'),
            annotations: eb.ref('excluded.annotations'),
            generator_url: eb.ref('excluded.generator_url'),
            receiver: eb.ref('excluded.receiver'),
            starts_at: eb.ref('excluded.starts_at'),
            ends_at: eb.ref('excluded.ends_at'),
            changed_at: eb.ref('excluded.changed_at'),
            received_at: eb.ref('excluded.received_at'),
          })),
        )
        .execute();
    }
    return writes;
  });
}

export async function listAlerts(
  db: Kysely<StoreSchema>,
  filter: AlertFilter,
): Promise<AlertRecord[]> {
  let query = db.selectFrom('alerts').selectAll();
  if (filter.service !== undefined) query = query.where('service', '=', filter.service);
  if (filter.unmatched) query = query.where('service', 'is', null);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const rows = await query
    .orderBy('received_at', 'desc')
    .orderBy('fingerprint')
    .limit(filter.limit ?? 500)
    .execute();
  return rows.map(storedAlert);
}
