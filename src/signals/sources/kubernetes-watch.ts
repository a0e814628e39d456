import type { Config, ServiceConfig } from '../../config/config.ts';
import { type KubeClient, kubeClient } from '../../kubernetes/client/kube-client.ts';
import type { Condition } from '../../kubernetes/watch/conditions.ts';
import { recentEvents } from '../../kubernetes/watch/recent-events.ts';
import type { WatchFailure } from '../../kubernetes/watch/reflector.ts';
import { ServiceWatch, type Transition } from '../../kubernetes/watch/service-watch.ts';
import { type Clock, systemClock } from '../../support/clock.ts';
import type { Logger } from '../../support/log.ts';
import type { Metrics } from '../../support/metrics.ts';
import { sleep } from '../../support/sleep.ts';
import type { KubernetesFacts, Observation } from '../observation.ts';
import { fingerprint, type Signal, type SignalConsumer } from '../signal.ts';
import { SignalQueue } from '../signal-queue.ts';

/** The `source` of the signals a Kubernetes watch makes, and of its source errors. */
export const KUBERNETES_SOURCE = 'kubernetes';

/** A signal the record holds firing (the decision state), for resolving it after a restart. */
export interface HeldSignal {
  fingerprint: string;
  labels: Record<string, string>;
  startsAt: number;
}

/**
 * The watches running in this process, by Service name: a runbook's verify of a watched
 * service reads the live conditions here (the same process, as the traces a `traces` check
 * reads), and starts a watch of its own only when none runs (a run by hand).
 */
export const runningWatches = new Map<string, ServiceWatch>();

interface Watched {
  service: ServiceConfig;
  /** The target as JSON: a reload that changes it starts the watch again. */
  key: string;
  stop: AbortController;
  watch?: ServiceWatch;
  started: Promise<void>;
}

const CLIENT_RETRY_MS = 1000;
const CLIENT_RETRY_MAX_MS = 30_000;

/**
 * The signal source of Services with `kubernetes.watch`: one ServiceWatch each (list + watch of
 * the workload, its pods and the nodes, no polling); each condition that starts is a firing
 * signal, each that ends a resolved one, labelled with the object's identity and carrying its
 * recent events. Handed over in order through a SignalQueue, as the prober's. A watch that
 * fails (401, 403, 429, 5xx, a cut) is a source error (`mend_source_errors_total{source=
 * "kubernetes"}` and a warning), retried with backoff; it never fails the service.
 */
export class KubernetesWatchSource {
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #queue: SignalQueue;
  readonly #clock: Clock;
  readonly #firingFrom: (service: string) => readonly HeldSignal[];
  readonly #client: (context: string | undefined) => Promise<KubeClient>;
  readonly #watched = new Map<string, Watched>();
  #config: Config;
  /** Signals waiting for their events; later ones wait behind them, to keep the order. */
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  #started = false;

  constructor(deps: {
    config: Config;
    consumer: SignalConsumer;
    log: Logger;
    metrics: Metrics;
    /** What the record holds firing from this source for a service. */
    firingFrom?: (service: string) => readonly HeldSignal[];
    clock?: Clock;
    /** The client of a kubeconfig context (tests: a fake cluster's). */
    client?: (context: string | undefined) => Promise<KubeClient>;
  }) {
    this.#config = deps.config;
    this.#log = deps.log;
    this.#metrics = deps.metrics;
    this.#queue = new SignalQueue(deps.consumer, deps.log);
    this.#clock = deps.clock ?? systemClock;
    this.#firingFrom = deps.firingFrom ?? (() => []);
    this.#client = deps.client ?? kubeClient;
  }

  /** Services this config watches. */
  static watchedServices(config: Config): ServiceConfig[] {
    return config.services.filter((s) => s.kubernetes?.watch !== undefined);
  }

  start(): void {
    this.#started = true;
    this.#load(this.#config);
  }

  reload(config: Config): void {
    this.#config = config;
    if (this.#started) this.#load(config);
  }

  pendingSignals(): number {
    return this.#queue.length + this.#pending;
  }

  /** Stops every watch, then hands over what is queued, within the deadline. */
  async stop(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    await Promise.all([...this.#watched.values()].map((w) => this.#end(w)));
    this.#watched.clear();
    await this.#chain;
    await this.#queue.flush(Math.max(100, deadline - Date.now()));
  }

  #load(config: Config): void {
    const wanted = new Map(KubernetesWatchSource.watchedServices(config).map((s) => [s.name, s]));
    for (const [name, watched] of [...this.#watched]) {
      const next = wanted.get(name);
      if (next !== undefined && JSON.stringify(next.kubernetes) === watched.key) {
        watched.service = next;
        continue;
      }
      this.#watched.delete(name);
      const firing = watched.watch?.firing() ?? [];
      void this.#end(watched);
      // No longer watched: what it held firing resolves, or it would stay open for ever.
      if (next === undefined && firing.length > 0) {
        this.#emit(
          watched.service,
          firing.map((condition) => ({
            status: 'resolved',
            condition,
            at: this.#clock.now(),
            cleared: `service ${name} is no longer watched (its kubernetes.watch left the config)`,
          })),
        );
      }
    }
    for (const [name, service] of wanted) {
      if (this.#watched.has(name)) continue;
      const watched: Watched = {
        service,
        key: JSON.stringify(service.kubernetes),
        stop: new AbortController(),
        started: Promise.resolve(),
      };
      watched.started = this.#begin(watched);
      this.#watched.set(name, watched);
    }
  }

  /** The client (retried while the kubeconfig cannot be loaded), then the watch. */
  async #begin(watched: Watched): Promise<void> {
    const target = watched.service.kubernetes!;
    const name = watched.service.name;
    let client: KubeClient | undefined;
    let backoff = CLIENT_RETRY_MS;
    while (client === undefined) {
      try {
        client = await this.#client(target.context);
      } catch (err) {
        this.#failure(name, {
          what: 'load the kubeconfig for',
          error: err as Error,
          retryInMs: backoff,
        });
        if (!(await sleep(backoff, watched.stop.signal))) return;
        backoff = Math.min(CLIENT_RETRY_MAX_MS, backoff * 2);
      }
    }
    if (watched.stop.signal.aborted) return;
    const watch = new ServiceWatch({
      service: name,
      target,
      client,
      clock: this.#clock,
      onTransitions: (transitions) => this.#emit(watched.service, transitions, client),
      onFailure: (failure) => this.#failure(name, failure),
      onSynced: () => this.#resolveHeld(watched.service, watch),
    });
    watched.watch = watch;
    runningWatches.set(name, watch);
    watch.start();
  }

  async #end(watched: Watched): Promise<void> {
    watched.stop.abort(new Error('the watch stopped'));
    await watched.started;
    if (watched.watch !== undefined) {
      if (runningWatches.get(watched.service.name) === watched.watch) {
        runningWatches.delete(watched.service.name);
      }
      await watched.watch.stop();
    }
  }

  #failure(service: string, failure: WatchFailure): void {
    this.#metrics.sourceErrors.inc({ source: KUBERNETES_SOURCE, check: `${service}/watch` });
    this.#log.warn(
      { service, source: KUBERNETES_SOURCE, error: failure.error.message },
      `kubernetes watch of ${service}: ${failure.what}: ${failure.error.message}; ${failure.retryInMs > 0 ? `again in ${failure.retryInMs} ms` : 'watching again'} (a source error, not the service's)`,
    );
  }

  /**
   * After the first sync: what the record holds firing and the cluster no longer shows,
   * resolved (behind the signals already on their way); and a word when there is no workload.
   */
  #resolveHeld(service: ServiceConfig, watch: ServiceWatch): void {
    const target = service.kubernetes!;
    if (watch.workloads === 0) {
      this.#log.warn(
        { service: service.name, source: KUBERNETES_SOURCE },
        `kubernetes watch of ${service.name}: no Deployment ${target.name !== undefined ? `named ${target.name}` : `with labels ${JSON.stringify(target.selector)}`} in namespace ${target.namespace}; watching for one (nothing to judge until it exists)`,
      );
    }
    const firing = new Set(watch.firing().map((c) => signalFingerprint(service.name, c)));
    const now = this.#clock.now();
    const stale = this.#firingFrom(service.name).filter((h) => !firing.has(h.fingerprint));
    if (stale.length === 0) return;
    this.#chain = this.#chain.then(() => this.#resolveStale(service, stale, now));
  }

  #resolveStale(service: ServiceConfig, stale: readonly HeldSignal[], now: number): void {
    for (const held of stale) {
      this.#push({
        fingerprint: held.fingerprint,
        source: KUBERNETES_SOURCE,
        service: service.name,
        labels: held.labels,
        status: 'resolved',
        startsAt: held.startsAt,
        at: Math.floor(now),
        summary: `cleared: not seen when the watch started again (${held.labels.reason ?? 'condition'} of ${held.labels.kind ?? 'object'} ${held.labels.name ?? ''} is over)`,
        evidence: [],
      });
    }
  }

  #emit(service: ServiceConfig, transitions: Transition[], client?: KubeClient): void {
    this.#pending += transitions.length;
    const stop = this.#watched.get(service.name)?.stop.signal ?? new AbortController().signal;
    // The events are read at once, in parallel; the signals still leave in order.
    const made = transitions.map((t) => this.#signalOf(service, t, client, stop));
    this.#chain = this.#chain.then(async () => {
      for (const signal of made) {
        const s = await signal;
        this.#pending--;
        this.#push(s);
      }
    });
  }

  #push(signal: Signal): void {
    this.#metrics.signals.inc({ source: signal.source, status: signal.status });
    this.#queue.push(signal);
  }

  async #signalOf(
    service: ServiceConfig,
    transition: Transition,
    client: KubeClient | undefined,
    stop: AbortSignal,
  ): Promise<Signal> {
    const { condition, status } = transition;
    // The record keeps whole epoch milliseconds.
    const at = Math.floor(transition.at);
    const firing = status === 'firing';
    const read =
      firing && client !== undefined
        ? await recentEvents(client, condition, stop)
        : { events: [], text: '' };
    const facts: KubernetesFacts = {
      reason: condition.reason,
      object: { kind: condition.kind, namespace: condition.namespace, name: condition.name },
      ...pick(condition),
      events: read.events,
      ...('error' in read && read.error !== undefined ? { eventsError: read.error } : {}),
      ...(transition.cleared !== undefined ? { cleared: transition.cleared } : {}),
    };
    const lines = [
      firing ? condition.message : `cleared: ${transition.cleared ?? 'the condition is over'}`,
      ...(condition.restarts
        ? [
            `restarts: by kubelet, restartCount ${condition.restarts.from} -> ${condition.restarts.to}; mend never restarts a container in place (its heals replace pods and mark the Deployment mend.dev/heal)`,
          ]
        : []),
      ...(read.text ? ['recent events:', read.text] : []),
    ];
    const observation: Observation = {
      ok: !firing,
      startedAt: at,
      durationMs: 0,
      status: condition.reason,
      ...(firing ? { error: condition.message } : {}),
      output: lines.join('\n'),
      kubernetes: facts,
    };
    return {
      fingerprint: signalFingerprint(service.name, condition),
      source: KUBERNETES_SOURCE,
      service: service.name,
      labels: {
        ...service.labels,
        ...labelsOf(condition),
        source: KUBERNETES_SOURCE,
        service: service.name,
      },
      status,
      startsAt: Math.min(at, Math.floor(condition.since)),
      at,
      summary: firing
        ? condition.message
        : `cleared: ${transition.cleared ?? 'the condition is over'}`,
      evidence: [observation],
    };
  }
}

/** A condition's signal identity: the service and the condition (object, container, reason). */
export function signalFingerprint(service: string, condition: Condition): string {
  return fingerprint({ source: KUBERNETES_SOURCE, service, condition: condition.key });
}

/** The labels policies match on: the object's identity and the reason. */
export function labelsOf(condition: Condition): Record<string, string> {
  return {
    namespace: condition.namespace,
    kind: condition.kind,
    name: condition.name,
    ...(condition.deployment !== undefined ? { deployment: condition.deployment } : {}),
    ...(condition.pod !== undefined ? { pod: condition.pod } : {}),
    ...(condition.node !== undefined ? { node: condition.node } : {}),
    ...(condition.container !== undefined ? { container: condition.container } : {}),
    reason: condition.reason,
  };
}

function pick(condition: Condition): Partial<KubernetesFacts> {
  return {
    ...(condition.deployment !== undefined ? { deployment: condition.deployment } : {}),
    ...(condition.pod !== undefined ? { pod: condition.pod } : {}),
    ...(condition.node !== undefined ? { node: condition.node } : {}),
    ...(condition.container !== undefined ? { container: condition.container } : {}),
    ...(condition.restartCount !== undefined ? { restartCount: condition.restartCount } : {}),
    ...(condition.restarts !== undefined ? { restarts: condition.restarts } : {}),
    ...(condition.lastTermination !== undefined
      ? { lastTermination: condition.lastTermination }
      : {}),
  };
}
