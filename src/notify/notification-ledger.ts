import type { IncidentWithTimeline } from '../store/store.ts';
import type { NotifierStore } from './incident-record.ts';
import type { NotificationEvent } from './notification.ts';

/** What is recorded on the incident timeline for each delivery (type `notification` or `notification-failed`). */
export interface DeliveryRecord {
  /** The command's idempotency key: a key delivered to a notifier is not sent to it again. */
  key: string;
  event: NotificationEvent;
  pageId?: string;
  dedupKey: string;
  notifier: string;
  kind: string;
  attempts: number;
  durationMs: number;
  /** Why it failed, secrets redacted. */
  error?: string;
}

type Payload = Partial<DeliveryRecord>;

const deliveries = (incident: IncidentWithTimeline | undefined) =>
  (incident?.timeline ?? [])
    .filter((e) => e.type === 'notification')
    .map((e) => (e.payload ?? {}) as Payload);

/** How many recent incidents to search for a group page recorded before a restart. */
const GROUP_PAGE_SEARCH = 200;

/**
 * The record of deliveries is the incident timeline itself: the person reading an incident sees
 * who was told what and when, and a re-dispatch after a restart finds there what was already
 * sent. No table of its own: everything a notification is about is an incident.
 */
export class NotificationLedger {
  readonly #store: NotifierStore;

  constructor(store: NotifierStore) {
    this.#store = store;
  }

  /**
   * Whether `event` with `key` already reached `notifier`, on any of the incidents it is about.
   * The event is part of the identity: a group page's resolve carries the page's own key.
   */
  delivered(
    incidents: readonly (IncidentWithTimeline | undefined)[],
    sent: { key: string; event: NotificationEvent },
    notifier: string,
  ): boolean {
    return incidents.some((incident) =>
      deliveries(incident).some(
        (d) => d.key === sent.key && d.event === sent.event && d.notifier === notifier,
      ),
    );
  }

  /** The notifiers that received page `pageId`, in the order they did. */
  pageNotifiers(
    incidents: readonly (IncidentWithTimeline | undefined)[],
    pageId: string,
  ): string[] {
    const names = incidents.flatMap((incident) =>
      deliveries(incident)
        .filter((d) => d.event === 'page' && d.pageId === pageId && d.notifier !== undefined)
        .map((d) => d.notifier!),
    );
    return [...new Set(names)];
  }

  /** Appends the delivery to every incident it is about that the store has. */
  async record(
    incidents: readonly (IncidentWithTimeline | undefined)[],
    at: number,
    record: DeliveryRecord,
  ): Promise<void> {
    const type = record.error === undefined ? 'notification' : 'notification-failed';
    for (const incident of incidents) {
      if (incident === undefined) continue;
      await this.#store.appendIncidentEvent({ incidentId: incident.id, at, type, payload: record });
    }
  }

  /**
   * The ids of the incidents page `pageId` was about, found in the store: the incident of
   * that id when `target` is one; for a blast-radius group page (target `blast:...`), the recent
   * incidents whose timeline records the page.
   */
  async pageIncidents(target: string, pageId: string): Promise<string[]> {
    const own = await this.#store.getIncident(target);
    if (own !== undefined) return [target];
    const recent = await this.#store.listIncidents({
      order: 'newest-first',
      limit: GROUP_PAGE_SEARCH,
    });
    const found: string[] = [];
    for (const incident of recent) {
      const full = await this.#store.getIncident(incident.id);
      if (this.pageNotifiers([full], pageId).length > 0) found.push(incident.id);
    }
    return found;
  }
}
