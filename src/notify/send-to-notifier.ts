import type { NotifierConfig } from '../config/config.ts';
import { readSecret, type SecretEnv, SecretError } from '../secrets/read-secret.ts';
import type { Redactor } from '../secrets/redactor.ts';
import type { IncidentWithTimeline } from '../store/store.ts';
import type { Logger } from '../support/log.ts';
import type { Metrics } from '../support/metrics.ts';
import { type DeliveryOutcome, deliverWithRetries } from './deliver.ts';
import { DeliveryError } from './delivery-error.ts';
import { findNotifierKind } from './kinds/registry.ts';
import type { Notification } from './notification.ts';
import type { NotificationLedger } from './notification-ledger.ts';
import type { NotifierKind } from './notifier-kind.ts';

export interface SendDeps {
  ledger: NotificationLedger;
  redactor: Redactor;
  /** Where `valueFrom.env` secrets are read. */
  env: SecretEnv;
  log: Logger;
  now: () => number;
  /** Where deliveries are counted, by notifier kind, event and result (absent: nowhere). */
  metrics?: Pick<Metrics, 'deliveries'>;
}

/**
 * Deliver one notification to one notifier, once: skipped when the incident already records
 * this key delivered to it, retried and timed out per the notifier's settings, and recorded on
 * the incident whichever way it ends. Resolves in every case a delivery can end in; rejects only
 * when the store cannot record.
 */
export async function sendToNotifier(
  deps: SendDeps,
  notifier: NotifierConfig | undefined,
  name: string,
  notification: Notification,
  incidents: readonly (IncidentWithTimeline | undefined)[],
): Promise<boolean> {
  const { ledger, log } = deps;
  const { key, event } = notification;
  if (ledger.delivered(incidents, notification, name)) {
    log.info({ notifier: name, key }, `${key}: already sent to ${name}; not sending again`);
    return true;
  }
  const kind = notifier ? findNotifierKind(notifier.kind) : undefined;
  const base = { key, event, dedupKey: notification.dedupKey, notifier: name };
  const record = {
    ...base,
    ...(notification.pageId !== undefined ? { pageId: notification.pageId } : {}),
    kind: notifier?.kind ?? 'unknown',
  };
  if (notifier === undefined || kind === undefined) {
    const error = `no Notifier named ${JSON.stringify(name)} in the config`;
    log.error({ notifier: name, key }, `${key}: cannot send the ${event}: ${error}`);
    deps.metrics?.deliveries.inc({ kind: 'unknown', event, result: 'failed' });
    await ledger.record(incidents, deps.now(), { ...record, attempts: 0, durationMs: 0, error });
    return false;
  }
  const outcome = await deliverTo(deps, notifier, kind, withLink(notification, notifier.link));
  const { attempts, durationMs } = outcome;
  if (outcome.ok) {
    log.info({ notifier: name, key }, `${key}: ${event} sent to ${name} (${notifier.kind})`);
    await ledger.record(incidents, deps.now(), { ...record, attempts, durationMs });
    return true;
  }
  const error = deps.redactor.redact(outcome.error);
  log.error({ notifier: name, key }, `${key}: the ${event} to ${name} failed: ${error}`);
  await ledger.record(incidents, deps.now(), { ...record, attempts, durationMs, error });
  return false;
}

/**
 * One notification to one notifier of a known kind: its secrets read (and redacted from then on),
 * each attempt under the notifier's timeout, transient failures retried per its settings. Records
 * nothing: the caller does (on the incident), or cannot (the store is down).
 */
export async function deliverTo(
  deps: Pick<SendDeps, 'env' | 'redactor' | 'now' | 'metrics'>,
  notifier: NotifierConfig,
  kind: NotifierKind,
  notification: Notification,
): Promise<DeliveryOutcome> {
  const outcome = await deliverWithRetries(
    (signal) =>
      kind.deliver(notifier.spec, notification, {
        signal,
        timeoutMs: notifier.timeoutMs,
        secret: async (ref) => {
          const value = await readSecret(ref, deps.env).catch((err: unknown) => {
            if (!(err instanceof SecretError)) throw err;
            throw new DeliveryError(err.message, { transient: false, cause: err });
          });
          deps.redactor.add(value);
          return (ref.prefix ?? '') + value;
        },
      }),
    { attempts: notifier.attempts, timeoutMs: notifier.timeoutMs, backoff: notifier.backoff },
    deps.now,
  );
  deps.metrics?.deliveries.inc({
    kind: kind.name,
    event: notification.event,
    result: outcome.ok ? 'delivered' : 'failed',
  });
  return outcome;
}

function withLink(notification: Notification, link: string | null): Notification {
  if (link === null) return notification;
  const id = notification.incidents[0] ?? notification.dedupKey;
  return { ...notification, link: link.replaceAll('{{incident.id}}', encodeURIComponent(id)) };
}
