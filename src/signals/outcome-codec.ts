import type { CheckDefinition } from './check-identity.ts';
import type { Observation, ProbePhases } from './observation.ts';
import type { ProbeOutcome } from './scheduler.ts';

/**
 * How a probe worker sends outcomes to the main thread. Structured-cloning an array of outcome
 * objects walks every property on both sides and copies the check's key and revision strings for
 * every probe; at 10,000 probes a second that was a few per cent of the worker's thread plus the
 * garbage. Most outcomes are a plain pass (ok, times, an HTTP status, phase timings), so those
 * travel as one row of numbers each in a Float64Array, the check named by its index in the
 * shard the worker was given; anything else (a failure, a warning, dependencies, a cursor...)
 * travels as the object it is. The rows keep completion order, full outcomes included.
 */
export interface OutcomeBatch {
  /** The `set` the indices refer to: the worker's count of `set` messages. */
  generation: number;
  /** ROW numbers per outcome; a negative index column points into `full` (-1 is full[0]). */
  rows: Float64Array<ArrayBuffer>;
  full: ProbeOutcome[];
}

const PHASES = ['resolveMs', 'connectMs', 'tlsMs', 'processingMs', 'transferMs'] as const;
/** index, startedAt, durationMs, latenessMs, status, then the phases; NaN is absent. */
const ROW = 5 + PHASES.length;
/** The keys a plain pass may have: anything else goes as an object. */
const PLAIN_KEYS = new Set(['ok', 'startedAt', 'durationMs', 'status', 'phases', 'output']);
const PHASE_KEYS = new Set<string>(PHASES);

/** Worker side: collects outcomes of one generation of checks until taken. */
export class OutcomeEncoder {
  #indexOf = new Map<string, number>();
  #revisions: string[] = [];
  #generation = 0;
  #rows = new Float64Array(64 * ROW);
  #count = 0;
  #full: ProbeOutcome[] = [];

  /** The checks a `set` gave, in its order. Take the pending batch first: its indices are the old ones. */
  setChecks(checks: readonly { key: string; revision: string }[]): void {
    this.#generation++;
    this.#indexOf = new Map();
    this.#revisions = [];
    checks.forEach((check, i) => {
      this.#indexOf.set(check.key, i);
      this.#revisions[i] = check.revision;
    });
  }

  get size(): number {
    return this.#count;
  }

  push(outcome: ProbeOutcome): void {
    if (this.#count * ROW === this.#rows.length) {
      const grown = new Float64Array(this.#rows.length * 2);
      grown.set(this.#rows);
      this.#rows = grown;
    }
    const at = this.#count++ * ROW;
    const rows = this.#rows;
    const index = this.#indexOf.get(outcome.key);
    const { observation } = outcome;
    if (
      index === undefined ||
      this.#revisions[index] !== outcome.revision ||
      !isPlain(observation)
    ) {
      // A check that left the set while its probe ran is named by the object too.
      this.#full.push(withoutPassingOutput(outcome));
      rows[at] = -this.#full.length;
      return;
    }
    rows[at] = index;
    rows[at + 1] = observation.startedAt;
    rows[at + 2] = observation.durationMs;
    rows[at + 3] = outcome.latenessMs;
    rows[at + 4] = typeof observation.status === 'number' ? observation.status : Number.NaN;
    const phases = observation.phases;
    for (let i = 0; i < PHASES.length; i++) rows[at + 5 + i] = phases?.[PHASES[i]!] ?? Number.NaN;
  }

  /** The batch so far, its rows copied out so the buffer can move to the other thread. */
  take(): OutcomeBatch {
    const batch: OutcomeBatch = {
      generation: this.#generation,
      rows: this.#rows.slice(0, this.#count * ROW),
      full: this.#full,
    };
    this.#count = 0;
    this.#full = [];
    return batch;
  }
}

/** Main side: what each generation's indices name, and the rows back to outcomes. */
export class OutcomeDecoder {
  #shards = new Map<number, readonly CheckDefinition[]>();
  #generation = 0;

  /** The shard just sent to the worker in a `set`: its generation is the worker's next. */
  sent(checks: readonly CheckDefinition[]): void {
    this.#shards.set(++this.#generation, checks);
  }

  decode(batch: OutcomeBatch): ProbeOutcome[] {
    // The worker posts in order: no batch of an older generation can follow this one.
    for (const generation of this.#shards.keys()) {
      if (generation < batch.generation) this.#shards.delete(generation);
    }
    const checks = this.#shards.get(batch.generation);
    const { rows, full } = batch;
    const outcomes: ProbeOutcome[] = [];
    for (let at = 0; at < rows.length; at += ROW) {
      const index = rows[at]!;
      if (index < 0) {
        outcomes.push(full[-index - 1]!);
        continue;
      }
      const check = checks?.[index];
      if (check === undefined) {
        throw new Error(
          `probe worker sent an outcome for check ${index} of set ${batch.generation}, which it was never given`,
        );
      }
      outcomes.push({
        key: check.key,
        revision: check.revision,
        observation: decodeObservation(rows, at),
        latenessMs: rows[at + 3]!,
      });
    }
    return outcomes;
  }
}

function decodeObservation(rows: Float64Array, at: number): Observation {
  const observation: Observation = {
    ok: true,
    startedAt: rows[at + 1]!,
    durationMs: rows[at + 2]!,
  };
  const status = rows[at + 4]!;
  if (!Number.isNaN(status)) observation.status = status;
  let phases: ProbePhases | undefined;
  for (let i = 0; i < PHASES.length; i++) {
    const value = rows[at + 5 + i]!;
    if (Number.isNaN(value)) continue;
    phases ??= {};
    phases[PHASES[i]!] = value;
  }
  if (phases !== undefined) observation.phases = phases;
  return observation;
}

function isPlain(observation: Observation): boolean {
  if (!observation.ok) return false;
  for (const key in observation) {
    if (!PLAIN_KEYS.has(key)) return false;
  }
  const { status, phases } = observation;
  if (status !== undefined && typeof status !== 'number') return false;
  if (phases !== undefined) {
    for (const key in phases) {
      if (!PHASE_KEYS.has(key)) return false;
    }
  }
  return true;
}

/**
 * A passing probe's output is dropped: evidence worth keeping is what failed, and copying every
 * healthy body between threads costs CPU.
 */
function withoutPassingOutput(outcome: ProbeOutcome): ProbeOutcome {
  const { observation } = outcome;
  if (!observation.ok || observation.output === undefined) return outcome;
  const { output: _output, ...kept } = observation;
  return { ...outcome, observation: kept as Observation };
}
