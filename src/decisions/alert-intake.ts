import type { Config } from '../config/config.ts';
import type { Signal } from '../signals/signal.ts';
import { alertRecord, alertSignal, serviceForAlert } from '../signals/sources/alertmanager.ts';
import type { AlertmanagerPayload } from '../signals/sources/alertmanager-payload.ts';
import { eventRecord } from '../signals/sources/cloudevent-record.ts';
import type { CloudEvent } from '../signals/sources/cloudevents.ts';
import type { AlertRecord, Store } from '../store/store.ts';

/** What a delivery did, as the webhook's 200 says it. */
export interface AlertIntakeResult {
  /** Alerts in the payload, all durably recorded. */
  received: number;
  /** Older than what the store held for the fingerprint (out of order): recorded nothing new. */
  stale: number;
  /** Selected by no Service: recorded and listed (GET /api/v1/alerts?unmatched=true), not judged. */
  unmatched: number;
  /** Signals handed to the decision loop and recorded with their decisions. */
  signals: number;
}

/** Too much in flight: the sender should retry later (Alertmanager does, on a 5xx). */
export class AlertIntakeOverloaded extends Error {
  readonly retryAfterSeconds: number;
  constructor(inFlight: number, limit: number, retryAfterSeconds: number) {
    super(
      `${inFlight} alerts are being recorded (at most ${limit} at once): retry in ${retryAfterSeconds}s`,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface AlertIntakeOptions {
  store: Pick<Store, 'recordAlerts'>;
  /** The decision loop: resolves once the signal and its decision are recorded. */
  consume(signal: Signal): Promise<void>;
  firingSince(service: string, fingerprint: string): number | undefined;
  config(): Config;
  now(): number;
  /** Alerts accepted and not yet recorded, past which a delivery is refused (503). */
  maxInFlight?: number;
}

/** Beyond this many alerts waiting to be recorded, a delivery is told to come back. */
export const ALERTS_IN_FLIGHT_LIMIT = 50_000;

/**
 * Alerts in, signals out, durably: a delivery resolves only once every alert of it is in the
 * store and every signal it makes is recorded with its decision, so a 2xx survives a crash.
 *
 * Idempotent: a re-send (repeat_interval, an HA peer's copy, a retry after a crash) finds the
 * engine already holding the alert as it says and hands it no signal; a firing older than the
 * resolution kept is stale (store/alert-rows.ts). The engine is asked in delivery order, one
 * delivery at a time, so a resolution is never judged against a firing still on its way.
 */
export class AlertIntake {
  readonly #options: AlertIntakeOptions;
  readonly #limit: number;
  #inFlight = 0;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(options: AlertIntakeOptions) {
    this.#options = options;
    this.#limit = options.maxInFlight ?? ALERTS_IN_FLIGHT_LIMIT;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** An Alertmanager delivery. */
  accept(payload: AlertmanagerPayload): Promise<AlertIntakeResult> {
    return this.#take(payload.alerts.length, (services, receivedAt) =>
      payload.alerts.map((alert) =>
        alertRecord(alert, payload.receiver, serviceForAlert(services, alert.labels), receivedAt),
      ),
    );
  }

  /** CloudEvents (structured, binary or a batch), each kept as the condition it is about. */
  acceptEvents(events: readonly CloudEvent[]): Promise<AlertIntakeResult> {
    return this.#take(events.length, (services, receivedAt) =>
      events.map((event) => eventRecord(services, event, receivedAt)),
    );
  }

  async #take(
    count: number,
    toRecords: (services: Config['services'], receivedAt: number) => AlertRecord[],
  ): Promise<AlertIntakeResult> {
    // One delivery is always taken when nothing waits, however big: it is bounded by the body.
    if (this.#inFlight > 0 && this.#inFlight + count > this.#limit) {
      throw new AlertIntakeOverloaded(this.#inFlight, this.#limit, 1);
    }
    this.#inFlight += count;
    try {
      const records = toRecords(this.#options.config().services, this.#options.now());
      const writes = await this.#options.store.recordAlerts(records);
      const kept = records.filter((_, i) => writes[i] === 'kept');
      const signals = await this.#serially(() => this.#judge(kept));
      return {
        received: count,
        stale: count - kept.length,
        unmatched: records.filter((record) => record.service === undefined).length,
        signals,
      };
    } finally {
      this.#inFlight -= count;
    }
  }

  /** Hand the engine what changes what it holds; the rest it already knows. */
  async #judge(alerts: readonly AlertRecord[]): Promise<number> {
    const { services } = this.#options.config();
    const decided: Promise<void>[] = [];
    const held = new Map<string, boolean>();
    for (const alert of alerts) {
      if (alert.service === undefined) continue;
      const service = services.find((s) => s.name === alert.service);
      if (service === undefined) continue;
      const key = `${alert.service}\u0000${alert.fingerprint}`;
      const firing =
        held.get(key) ?? this.#options.firingSince(alert.service, alert.fingerprint) !== undefined;
      if (firing === (alert.status === 'firing')) continue;
      held.set(key, alert.status === 'firing');
      // Submitted in order; the loop decides them one at a time, in this order.
      decided.push(this.#options.consume(alertSignal(alert, service)));
    }
    await Promise.all(decided);
    return decided.length;
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => {});
    return run;
  }
}
