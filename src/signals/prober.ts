import type { Config } from '../config/config.ts';
import type { Logger } from '../support/log.ts';
import type { Metrics } from '../support/metrics.ts';
import { Detector, type FiringOf, type FiringSince } from './detector.ts';
import { InProcessRunner } from './in-process-runner.ts';
import { ProbeMetrics } from './probe-metrics.ts';
import type { ProbeRunner } from './probe-runner.ts';
import { PROBER_DEFAULTS, type ProberOptions, workersFor } from './prober-options.ts';
import { PROMETHEUS_SOURCE, type PrometheusProbeSpec } from './probes/prometheus.ts';
import { queryEvidence } from './prometheus/query-evidence.ts';
import type { ProbeOutcome, SchedulerStats } from './scheduler.ts';
import type { Signal, SignalConsumer } from './signal.ts';
import { SignalQueue } from './signal-queue.ts';
import { SplitRunner } from './split-runner.ts';
import { WorkerPoolRunner } from './worker-pool-runner.ts';

/**
 * Detection, start to end: probes (in worker threads) -> detector (thresholds, state changes) ->
 * signal queue -> the consumer that decides. The judging itself (detector, check state) is free
 * of I/O; the probing and the hand-over are here.
 */
export class Prober {
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #probeMetrics: ProbeMetrics;
  readonly #detector: Detector;
  readonly #runner: ProbeRunner;
  readonly #signals: SignalQueue;
  /** Extra listeners for outcomes (benchmarks, tests); the detector always sees them first. */
  readonly #outcomeListeners: ((outcomes: readonly ProbeOutcome[]) => void)[] = [];
  #config: Config;
  /** Probe worker threads started (0: probing in the main thread). */
  readonly workers: number;
  /** The latest cursor of each check whose probe reads a stream: a re-prepared probe goes on. */
  readonly #cursors: Map<string, unknown>;
  /** Signals waiting for their query's curve; later ones wait behind them, to keep the order. */
  #enriching = 0;
  #enriched: Promise<void> = Promise.resolve();

  constructor(deps: {
    config: Config;
    consumer: SignalConsumer;
    log: Logger;
    metrics: Metrics;
    options?: Partial<ProberOptions>;
    /** What the record holds as firing (decision state), so a restart can resolve it. */
    firingSince?: FiringSince;
    /** Where checks' probes got to before (the store's cursors), by check key. */
    cursors?: ReadonlyMap<string, unknown>;
    /** What the record holds firing for a check with series, so a restart can resolve them. */
    firingOf?: FiringOf;
    /** The probing cannot go on (a worker thread died): the owner stops mend, saying why. */
    onFatal: (error: Error) => void;
  }) {
    const options = { ...PROBER_DEFAULTS, ...deps.options };
    this.#config = deps.config;
    this.#cursors = new Map(deps.cursors);
    this.#log = deps.log;
    this.#metrics = deps.metrics;
    this.#probeMetrics = new ProbeMetrics(deps.metrics);
    this.#signals = new SignalQueue(deps.consumer, deps.log);
    this.#detector = new Detector(
      (signal) => this.#onSignal(signal),
      deps.firingSince,
      deps.firingOf,
    );
    const runnerOptions = {
      maxInFlight: options.maxInFlight,
      maxOutputBytes: options.maxOutputBytes,
      onOutcomes: (outcomes: ProbeOutcome[]) => this.#onOutcomes(outcomes),
      onFatal: deps.onFatal,
    };
    this.workers = options.workers ?? workersFor(deps.config.services);
    this.#runner =
      this.workers > 0
        ? new SplitRunner(
            new WorkerPoolRunner({ ...runnerOptions, workers: this.workers }),
            new InProcessRunner(runnerOptions),
          )
        : new InProcessRunner(runnerOptions);
  }

  get config(): Config {
    return this.#config;
  }

  start(): void {
    this.#runner.set(this.#load(this.#config.services));
    this.#runner.start();
  }

  /** Swap in a new, already validated config. Unchanged checks keep their state and beat. */
  reload(config: Config): void {
    this.#config = config;
    this.#runner.set(this.#load(config.services));
  }

  #load(services: Config['services']) {
    const definitions = this.#detector.load(services);
    this.#probeMetrics.load(definitions);
    return definitions.map((definition) => {
      const resume = this.#cursors.get(definition.key);
      return resume === undefined ? definition : { ...definition, resume };
    });
  }

  onOutcomes(listener: (outcomes: readonly ProbeOutcome[]) => void): void {
    this.#outcomeListeners.push(listener);
  }

  /** Stop probing, wait for probes in flight, then make sure every signal is handed over. */
  async stop(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    await this.#runner.stop(deadlineMs);
    await this.#enriched;
    await this.#signals.flush(Math.max(100, deadline - Date.now()));
  }

  checkStates() {
    return this.#detector.snapshot();
  }

  pendingSignals(): number {
    return this.#signals.length + this.#enriching;
  }

  async schedulerStats(): Promise<SchedulerStats> {
    const stats = await this.#runner.stats();
    this.#metrics.inFlight.set(stats.inFlight);
    this.#metrics.waiting.set(stats.waiting);
    this.#metrics.skipped.set({ reason: 'overlap' }, stats.overlapsSkipped);
    this.#metrics.skipped.set({ reason: 'missed' }, stats.slotsMissed);
    const counts = { unknown: 0, healthy: 0, failing: 0 };
    for (const check of this.#detector.snapshot()) counts[check.state.status]++;
    for (const [state, count] of Object.entries(counts)) this.#metrics.checks.set({ state }, count);
    return stats;
  }

  #onOutcomes(outcomes: ProbeOutcome[]): void {
    this.#probeMetrics.count(outcomes);
    for (const { key, observation } of outcomes) {
      if (!observation.discarded) continue;
      if (observation.sourceDown !== undefined) {
        this.#metrics.sourceErrors.inc({ source: observation.sourceDown, check: key });
      }
      // The check's state does not move, so this line and the counter are all that show it.
      this.#log.warn(
        { check: key, error: observation.error },
        `${key} probe: ${observation.error ?? 'result discarded'}`,
      );
    }
    this.#detector.observe(this.#takeCursors(outcomes));
    for (const listener of this.#outcomeListeners) listener(outcomes);
  }

  /** The cursors, remembered here; the detector (and so the evidence) sees observations only. */
  #takeCursors(outcomes: ProbeOutcome[]): ProbeOutcome[] {
    if (!outcomes.some((outcome) => outcome.observation.cursor !== undefined)) return outcomes;
    return outcomes.map((outcome) => {
      const { cursor, ...observation } = outcome.observation;
      if (cursor === undefined) return outcome;
      this.#cursors.set(outcome.key, cursor);
      return { ...outcome, observation };
    });
  }

  #onSignal(signal: Signal): void {
    this.#metrics.signals.inc({ source: signal.source, status: signal.status });
    const asks = this.#curveOf(signal);
    if (asks === undefined && this.#enriching === 0) {
      this.#signals.push(signal);
      return;
    }
    this.#enriching++;
    this.#enriched = this.#enriched.then(async () => {
      if (asks !== undefined) {
        const last = signal.evidence.at(-1);
        const query = await queryEvidence(asks);
        if (last !== undefined) signal.evidence[signal.evidence.length - 1] = { ...last, query };
      }
      this.#enriching--;
      this.#signals.push(signal);
    });
  }

  /** A firing series of a `prometheus` check carries its query's last minutes as evidence. */
  #curveOf(signal: Signal): Parameters<typeof queryEvidence>[0] | undefined {
    if (signal.source !== PROMETHEUS_SOURCE || signal.status !== 'firing') return undefined;
    const check = this.#config.services
      .find((service) => service.name === signal.service)
      ?.checks.find((c) => c.name === signal.check);
    const spec = check?.[PROMETHEUS_SOURCE] as PrometheusProbeSpec | undefined;
    if (check === undefined || spec === undefined) return undefined;
    const series = signal.evidence.at(-1)?.series?.[0]?.labels;
    return {
      prometheus: spec.url,
      query: spec.query,
      at: signal.at,
      ...(series !== undefined ? { series } : {}),
      timeoutMs: Math.max(1000, check.timeoutSeconds * 1000),
    };
  }
}
