import type { NotifierConfig } from '../config/config.ts';
import { Redactor } from '../secrets/redactor.ts';
import type { Logger } from '../support/log.ts';
import type { Metrics } from '../support/metrics.ts';
import { findNotifierKind } from './kinds/registry.ts';
import {
  bound,
  NOTIFICATION_LIMITS,
  NOTIFICATION_VERSION,
  type Notification,
} from './notification.ts';
import { deliverTo } from './send-to-notifier.ts';

/** What mend says about itself when it cannot record: a page, or the resolve of one. */
export interface UnrecordedNotice {
  event: 'page' | 'resolve';
  /** Sent once per key, like a command's idempotency key. */
  key: string;
  /** The same for every notice of one trouble (PagerDuty's dedup_key). */
  dedupKey: string;
  summary: string;
  reason: { code: string; message: string; numbers: Record<string, number | string> };
}

/** Who got it. */
export interface NoticeSent {
  delivered: string[];
  failed: string[];
}

/**
 * Sends a notice to every notifier directly, for when mend cannot record: its store is down, so
 * nothing of it is written anywhere (an incident's notifications are recorded on the incident;
 * this has no incident to be recorded on). Each delivery is retried and timed out as the notifier
 * says, and logged. Resolves when every notifier was tried; never rejects.
 */
export async function sendUnrecordedNotice(
  notifiers: readonly NotifierConfig[],
  notice: UnrecordedNotice,
  deps: {
    log: Logger;
    env?: NodeJS.ProcessEnv;
    now?: () => number;
    metrics?: Pick<Metrics, 'deliveries'>;
  },
): Promise<NoticeSent> {
  const now = deps.now ?? Date.now;
  const notification: Notification = {
    version: NOTIFICATION_VERSION,
    event: notice.event,
    key: notice.key,
    dedupKey: notice.dedupKey,
    at: new Date(now()).toISOString(),
    summary: bound(notice.summary, NOTIFICATION_LIMITS.summaryChars),
    incidents: [],
    attempts: 0,
    reason: notice.reason,
    chronic: false,
    evidence: [],
    timeline: [],
  };
  const delivery = {
    env: deps.env ?? process.env,
    redactor: new Redactor(),
    now,
    metrics: deps.metrics,
  };
  const sent = await Promise.all(
    notifiers.map(async (notifier) => {
      const kind = findNotifierKind(notifier.kind);
      if (kind === undefined) return false;
      const outcome = await deliverTo(delivery, notifier, kind, notification);
      const line = `${notice.key}: ${notice.event} to ${notifier.name} (${notifier.kind})`;
      if (outcome.ok) deps.log.info({ notifier: notifier.name, key: notice.key }, `${line} sent`);
      else {
        const error = delivery.redactor.redact(outcome.error);
        deps.log.error({ notifier: notifier.name, key: notice.key }, `${line} failed: ${error}`);
      }
      return outcome.ok;
    }),
  );
  return {
    delivered: notifiers.filter((_, i) => sent[i]).map((n) => n.name),
    failed: notifiers.filter((_, i) => !sent[i]).map((n) => n.name),
  };
}
