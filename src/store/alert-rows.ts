import type { Insertable, Selectable } from 'kysely';
import type { SignalStatus } from '../signals/signal.ts';
import { epochMs, fromJson, toJson, toNumber, toOptionalNumber } from './row-values.ts';
import type { AlertsTable } from './schema.ts';
import type { AlertRecord } from './store.ts';

/**
 * When an alert last changed state: its start while firing, its end once resolved. Two
 * deliveries of one fingerprint are ordered by it, whatever order they arrive in.
 */
export function changedAt(alert: Pick<AlertRecord, 'status' | 'startsAt' | 'endsAt'>): number {
  if (alert.status === 'firing') return alert.startsAt;
  return alert.endsAt !== undefined && alert.endsAt >= alert.startsAt
    ? alert.endsAt
    : alert.startsAt;
}

/**
 * A delivery older than what is kept changes nothing: a firing that started before the
 * resolution kept (resolved-before-firing, out of order), or one that ended earlier. At the same
 * time, resolved wins: an alert resolved in the instant it fired is resolved.
 */
export function isStale(
  kept: { status: SignalStatus; changedAt: number },
  incoming: Pick<AlertRecord, 'status' | 'startsAt' | 'endsAt'>,
): boolean {
  const at = changedAt(incoming);
  if (kept.changedAt !== at) return kept.changedAt > at;
  return kept.status === 'resolved' && incoming.status === 'firing';
}

export function alertRow(alert: AlertRecord): Insertable<AlertsTable> {
  return {
    fingerprint: alert.fingerprint,
    source: alert.source,
    status: alert.status,
    service: alert.service ?? null,
    labels: toJson('labels', alert.labels),
    annotations: toJson('annotations', alert.annotations),
    generator_url: alert.generatorURL,
    receiver: alert.receiver,
    starts_at: epochMs('startsAt', alert.startsAt),
    ends_at: alert.endsAt === undefined ? null : epochMs('endsAt', alert.endsAt),
    changed_at: changedAt(alert),
    received_at: epochMs('receivedAt', alert.receivedAt),
  };
}

export function storedAlert(row: Selectable<AlertsTable>): AlertRecord {
  const alert: AlertRecord = {
    fingerprint: row.fingerprint,
    source: row.source,
    // The CHECK constraint admits only these values.
    status: row.status as SignalStatus,
    labels: fromJson<Record<string, string>>(row.labels),
    annotations: fromJson<Record<string, string>>(row.annotations),
    generatorURL: row.generator_url,
    receiver: row.receiver,
    startsAt: toNumber(row.starts_at),
    receivedAt: toNumber(row.received_at),
  };
  if (row.service !== null) alert.service = row.service;
  const endsAt = toOptionalNumber(row.ends_at);
  if (endsAt !== undefined) alert.endsAt = endsAt;
  return alert;
}
