import {
  applyObservation,
  type CheckState,
  initialCheckState,
  type Thresholds,
  type Transition,
} from './check-state.ts';
import type { Observation } from './observation.ts';
import { formatLabels } from './prometheus/format-labels.ts';
import { fingerprint } from './signal.ts';

/** A signal the record holds firing for a check: what a restarted detector starts from. */
export interface HeldSeries {
  fingerprint: string;
  labels: Record<string, string>;
  startsAt: number;
}

/** One series of a check that answers with many (a Prometheus query), judged on its own. */
export interface SeriesTrack {
  fingerprint: string;
  /** The series' own labels, as the query returned them (empty for one seeded from the record). */
  series: Record<string, string>;
  /** The labels of its signals, when seeded from the record (the record's, kept as they were). */
  held?: Record<string, string>;
  state: CheckState;
}

export interface SeriesTransition {
  track: SeriesTrack;
  transition: Transition;
}

/**
 * The state of each series a check returns, with the check's thresholds. Only series that have
 * failed are kept: a healthy series and one that is not returned are the same thing (the failing
 * condition does not hold), so memory follows the failures, not the width of the query. A series
 * that stops being returned counts as passing, which is how a `nonEmpty` check resolves.
 */
export class SeriesStates {
  readonly #tracks = new Map<string, SeriesTrack>();
  readonly #identity: Record<string, string>;
  #seeded = false;

  /** `identity`: the labels every series' fingerprint starts from (source, service, check). */
  constructor(identity: Record<string, string>) {
    this.#identity = identity;
  }

  /** The fingerprint of one series' signals: the check's identity and the series' labels. */
  fingerprintOf(series: Record<string, string>): string {
    return fingerprint({ ...this.#identity, series: formatLabels(series) });
  }

  get size(): number {
    return this.#tracks.size;
  }

  /**
   * Apply one run's answer. `held` is asked once, at the first run: the series the record holds
   * firing start failing, so that one no longer returned after a restart still resolves.
   */
  observe(
    observation: Observation,
    thresholds: Thresholds,
    held: () => readonly HeldSeries[],
  ): SeriesTransition[] {
    if (observation.discarded || observation.series === undefined) return [];
    if (!this.#seeded) this.#seed(held());
    const changes: SeriesTransition[] = [];
    const seen = new Set<string>();
    const { startedAt, durationMs } = observation;
    for (const sample of observation.series) {
      const id = this.fingerprintOf(sample.labels);
      seen.add(id);
      let track = this.#tracks.get(id);
      if (track === undefined) {
        if (sample.ok) continue;
        track = { fingerprint: id, series: sample.labels, state: initialCheckState() };
        this.#tracks.set(id, track);
      } else if (track.held !== undefined && Object.keys(track.series).length === 0) {
        track.series = sample.labels;
      }
      const one: Observation = {
        ok: sample.ok,
        startedAt,
        durationMs,
        status: sample.value,
        series: [sample],
        ...(sample.ok ? {} : { error: `${formatLabels(sample.labels)} ${sample.value}` }),
      };
      this.#apply(track, one, thresholds, changes);
    }
    for (const track of [...this.#tracks.values()]) {
      if (seen.has(track.fingerprint)) continue;
      const gone: Observation = { ok: true, startedAt, durationMs, status: 'not returned' };
      this.#apply(track, gone, thresholds, changes);
    }
    return changes;
  }

  #apply(
    track: SeriesTrack,
    observation: Observation,
    thresholds: Thresholds,
    changes: SeriesTransition[],
  ): void {
    const transition = applyObservation(track.state, observation, thresholds);
    if (transition) changes.push({ track, transition });
    const { state } = track;
    if (state.status !== 'failing' && state.consecutiveFailures === 0) {
      this.#tracks.delete(track.fingerprint);
    }
  }

  #seed(held: readonly HeldSeries[]): void {
    this.#seeded = true;
    for (const signal of held) {
      if (this.#tracks.has(signal.fingerprint)) continue;
      const state = initialCheckState();
      state.status = 'failing';
      state.failingSince = signal.startsAt;
      state.since = signal.startsAt;
      this.#tracks.set(signal.fingerprint, {
        fingerprint: signal.fingerprint,
        series: {},
        held: signal.labels,
        state,
      });
    }
  }
}
