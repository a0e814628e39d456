// Lateness of probes (start time minus scheduled time), summarised over the whole run and over
// the steady state (probes scheduled after the warm-up).

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface LatenessSummary {
  all: Percentiles;
  steady: Percentiles;
  /** p99 of the probes scheduled in each second of the run, from its start: the steady state shows. */
  perSecondP99?: number[];
}

export function percentiles(values: Float64Array): Percentiles {
  if (values.length === 0) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(at(1)) };
}

const round = (value: number): number => Math.round(value * 100) / 100;

/** Collects lateness samples with a capacity fixed up front (the number of scheduled probes). */
export class LatenessRecorder {
  readonly #scheduledMs: Float64Array;
  readonly #latenessMs: Float64Array;
  #count = 0;

  constructor(capacity: number) {
    this.#scheduledMs = new Float64Array(capacity);
    this.#latenessMs = new Float64Array(capacity);
  }

  record(scheduledMs: number, latenessMs: number): void {
    if (this.#count >= this.#latenessMs.length) return;
    this.#scheduledMs[this.#count] = scheduledMs;
    this.#latenessMs[this.#count] = latenessMs;
    this.#count++;
  }

  summary(warmupMs: number): LatenessSummary {
    const all = this.#latenessMs.subarray(0, this.#count);
    const steady = all.filter((_, i) => (this.#scheduledMs[i] ?? 0) >= warmupMs);
    const bySecond: number[][] = [];
    for (let i = 0; i < this.#count; i++) {
      const second = Math.max(0, Math.floor((this.#scheduledMs[i] ?? 0) / 1000));
      const values = bySecond[second] ?? [];
      values.push(all[i] ?? 0);
      bySecond[second] = values;
    }
    const perSecondP99 = Array.from(bySecond, (values) =>
      values === undefined ? Number.NaN : percentiles(Float64Array.from(values)).p99,
    );
    return { all: percentiles(all), steady: percentiles(steady), perSecondP99 };
  }
}
