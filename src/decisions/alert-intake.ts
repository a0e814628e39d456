import type { Config, ServiceConfig } from '../config/config.ts';
import { SETTINGS_DEFAULTS } from '../config/kinds/settings.ts';
import type { QueryEvidence } from '../signals/observation.ts';
import { type QueryEvidenceRequest, queryEvidence } from '../signals/prometheus/query-evidence.ts';
import type { Signal } from '../signals/signal.ts';
import {
  alertExpression,
  alertRecord,
  alertSignal,
  serviceByPolicy,
  serviceForAlert,
} from '../signals/sources/alertmanager.ts';
import type { AlertmanagerPayload } from '../signals/sources/alertmanager-payload.ts';
import { eventRecord } from '../signals/sources/cloudevent-record.ts';
import type { CloudEvent } from '../signals/sources/cloudevents.ts';
import type { AlertRecord, Store } from '../store/store.ts';
import { AlertWriteGroup } from './alert-write-group.ts';

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
  /** Alerts accepted and not yet recorded, past which a delivery is refused (503); else Settings'. */
  maxInFlight?: number;
  /** How an alert's expression is asked of its service's Prometheus (tests may swap it). */
  queryEvidence?: (request: QueryEvidenceRequest) => Promise<QueryEvidence>;
}

/** Prometheus gets this long to say an alert's value; the delivery waits for it. */
const ALERT_EVIDENCE_TIMEOUT_MS = 2000;
/** Alerts of one delivery whose expression is asked; the rest go as they were sent. */
const ALERT_EVIDENCE_PER_DELIVERY = 20;

/** Beyond this many alerts waiting to be recorded, a delivery is told to come back. */
export const ALERTS_IN_FLIGHT_LIMIT = SETTINGS_DEFAULTS.alerts.maxInFlight;

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
  readonly #writes: AlertWriteGroup;
  #inFlight = 0;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(options: AlertIntakeOptions) {
    this.#options = options;
    this.#writes = new AlertWriteGroup(options.store);
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
    const limit =
      this.#options.maxInFlight ??
      this.#options.config().settings.alerts?.maxInFlight ??
      ALERTS_IN_FLIGHT_LIMIT;
    // One delivery is always taken when nothing waits, however big: it is bounded by the body.
    if (this.#inFlight > 0 && this.#inFlight + count > limit) {
      throw new AlertIntakeOverloaded(this.#inFlight, limit, 1);
    }
    this.#inFlight += count;
    try {
      const receivedAt = this.#options.now();
      const records = toRecords(this.#options.config().services, receivedAt);
      const writes = await this.#writes.write(records);
      const kept = records.filter((_, i) => writes[i] === 'kept');
      // Asked before taking a turn, so a slow Prometheus holds up this delivery only.
      const evidence = await this.#evidenceOf(kept, receivedAt);
      const signals = await this.#serially(() => this.#judge(kept, evidence));
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
  async #judge(
    alerts: readonly AlertRecord[],
    evidence: ReadonlyMap<AlertRecord, QueryEvidence>,
  ): Promise<number> {
    const { services, policies } = this.#options.config();
    const decided: Promise<void>[] = [];
    const held = new Map<string, boolean>();
    for (const alert of alerts) {
      const service = this.#serviceOf(alert, services, policies);
      if (service === undefined) continue;
      const key = `${service.name}\u0000${alert.fingerprint}`;
      const firing =
        held.get(key) ?? this.#options.firingSince(service.name, alert.fingerprint) !== undefined;
      if (firing === (alert.status === 'firing')) continue;
      held.set(key, alert.status === 'firing');
      // Submitted in order; the loop decides them one at a time, in this order.
      decided.push(this.#options.consume(alertSignal(alert, service, evidence.get(alert))));
    }
    await Promise.all(decided);
    return decided.length;
  }

  /** The Service that selects it, else the one a policy on its labels judges it as. */
  #serviceOf(
    alert: AlertRecord,
    services: readonly ServiceConfig[],
    policies: Config['policies'],
  ): ServiceConfig | undefined {
    if (alert.service !== undefined) return services.find((s) => s.name === alert.service);
    const name = serviceByPolicy(policies, alert.labels);
    if (name === undefined) return undefined;
    return (
      services.find((s) => s.name === name) ?? {
        name,
        labels: {},
        selector: [],
        events: [],
        dependsOn: [],
        checks: [],
        source: { file: '', line: 0, col: 0 },
      }
    );
  }

  /**
   * For a firing alert that will likely open or join an incident, and whose Service names a
   * Prometheus: its expression's value now and its last 15 minutes, so the incident shows the curve.
   */
  async #evidenceOf(
    alerts: readonly AlertRecord[],
    at: number,
  ): Promise<Map<AlertRecord, QueryEvidence>> {
    const { services } = this.#options.config();
    const ask = this.#options.queryEvidence ?? queryEvidence;
    const asked: Promise<[AlertRecord, QueryEvidence]>[] = [];
    for (const alert of alerts) {
      if (asked.length >= ALERT_EVIDENCE_PER_DELIVERY) break;
      if (alert.status !== 'firing' || alert.service === undefined) continue;
      const prometheus = services.find((s) => s.name === alert.service)?.prometheus;
      const query = alertExpression(alert.generatorURL);
      if (prometheus === undefined || query === undefined) continue;
      if (this.#options.firingSince(alert.service, alert.fingerprint) !== undefined) continue;
      const request = {
        prometheus,
        query,
        at,
        instant: true,
        timeoutMs: ALERT_EVIDENCE_TIMEOUT_MS,
      };
      asked.push(ask(request).then((evidence) => [alert, evidence]));
    }
    return new Map(await Promise.all(asked));
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => {});
    return run;
  }
}
