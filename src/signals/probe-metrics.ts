import type { HistogramChild } from '../support/bound-histogram.ts';
import type { Metrics } from '../support/metrics.ts';
import type { CheckDefinition } from './check-identity.ts';
import { probeKinds, probeOf } from './probes/registry.ts';
import type { ProbeOutcome } from './scheduler.ts';

/** One probe kind's counts within a batch, and its duration histogram, bound once. */
interface KindTally {
  kind: string;
  duration: HistogramChild;
  ok: number;
  failed: number;
  discarded: number;
}

/**
 * Probe outcomes on /metrics: lateness, duration by kind, and probes by kind and result. Cheap at
 * 10,000 probes/s: each check's kind is looked up once per (re)load, the histograms are bound
 * children (an observation is a few comparisons), and the counters move once per batch and kind.
 */
export class ProbeMetrics {
  readonly #metrics: Metrics;
  readonly #kinds = new Map<string, KindTally>();
  #byKey = new Map<string, KindTally>();
  /** The checks before the last reload: their probes in flight still come back. */
  #before = new Map<string, KindTally>();

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
    // Every kind's series from the start, at 0: a rate() over them needs no first probe.
    for (const { name } of probeKinds) {
      this.#tallyOf(name);
      for (const result of ['ok', 'failed', 'discarded']) {
        metrics.probes.inc({ kind: name, result }, 0);
      }
    }
  }

  /** The checks probed from now on (start and each reload). */
  load(definitions: readonly CheckDefinition[]): void {
    this.#before = this.#byKey;
    this.#byKey = new Map(definitions.map((d) => [d.key, this.#tallyOf(probeOf(d.spec).kind)]));
  }

  count(outcomes: readonly ProbeOutcome[]): void {
    const { probeLateness } = this.#metrics;
    for (const outcome of outcomes) {
      probeLateness.observe(outcome.latenessMs / 1000);
      const tally = this.#byKey.get(outcome.key) ?? this.#before.get(outcome.key);
      // A check two reloads gone: nothing says its kind any more (and nothing judges it).
      if (tally === undefined) continue;
      const { observation } = outcome;
      tally.duration.observe(observation.durationMs / 1000);
      if (observation.discarded) tally.discarded++;
      else if (observation.ok) tally.ok++;
      else tally.failed++;
    }
    for (const tally of this.#kinds.values()) this.#flush(tally);
  }

  #flush(tally: KindTally): void {
    const { probes } = this.#metrics;
    const { kind } = tally;
    if (tally.ok > 0) probes.inc({ kind, result: 'ok' }, tally.ok);
    if (tally.failed > 0) probes.inc({ kind, result: 'failed' }, tally.failed);
    if (tally.discarded > 0) probes.inc({ kind, result: 'discarded' }, tally.discarded);
    tally.ok = 0;
    tally.failed = 0;
    tally.discarded = 0;
  }

  #tallyOf(kind: string): KindTally {
    let tally = this.#kinds.get(kind);
    if (tally === undefined) {
      const duration = this.#metrics.probeDuration.labels({ kind });
      tally = { kind, duration, ok: 0, failed: 0, discarded: 0 };
      this.#kinds.set(kind, tally);
    }
    return tally;
  }
}
