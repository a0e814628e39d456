import type { Engine, EngineState } from '../../src/policy/index.ts';
import type { Decision, Input } from '../../src/policy/types.ts';
import { type GcPause, GcPauses } from './gc-pauses.ts';
import type { InputStream } from './inputs.ts';
import { type LoadSample, readWaitedMs, sampleLoad } from './machine-load.ts';
import { type SlowDecision, SlowestDecisions } from './slowest.ts';
import { SqliteJournal } from './sqlite-journal.ts';

export interface MeasureOptions {
  warmup: number;
  inputs: number;
  /** Inputs per slice: the unit the ratio's spread is reported over. */
  slice: number;
}

/**
 * One slice, wall clock: the time inside the decide calls, the time recording the same
 * decisions, and the time the thread waited for a core.
 */
export interface Slice {
  inputs: number;
  decideMs: number;
  baselineMs: number;
  waitedMs: number;
}

/** Everything measured, raw: summary.ts turns it into figures. */
export interface Measurement {
  /** Per measured input, in input order: when its decision started and how long it took (ms). */
  startedAt: Float64Array;
  tookMs: Float64Array;
  kinds: Array<Input['kind']>;
  slices: Slice[];
  pauses: GcPause[];
  slowest: SlowDecision[];
  commands: Record<string, number>;
  /** JSON characters the baseline recorded per measured input. */
  recordedPerInput: number;
  load: { start: LoadSample; end: LoadSample };
  /** This process's CPU time during the measured slices, in ms. */
  cpuMs: number;
  state: EngineState;
}

/**
 * Each input is decided (timed), then its decision is recorded by the baseline (timed), then the
 * next input: the two alternate as finely as can be, so a change of load hits both alike and
 * their ratio keeps. Recording each decision at once, rather than a block of them after a block
 * of decisions, holds no decision alive: a block held would survive scavenges, be promoted, and
 * make the engine's GC cost a quarter more than its own.
 *
 * The loop never yields to the event loop until the end: V8 runs scavenges and marking steps as
 * event-loop tasks when it can, and a yield would move GC work off the clock.
 */
export async function measure(
  engine: Engine,
  stream: InputStream,
  options: MeasureOptions,
): Promise<Measurement> {
  const run = new DecideRun(engine, stream, options.inputs);
  // The warm-up runs both, so the baseline's code is as warm as the engine's.
  for (let done = 0; done < options.warmup; done += options.slice) {
    run.slice(Math.min(options.slice, options.warmup - done), null);
  }
  const gc = new GcPauses();
  const bytesBefore = run.journal.bytes;
  const start = sampleLoad();
  const cpuStart = process.cpuUsage();
  const slices: Slice[] = [];
  for (let done = 0; done < options.inputs; done += options.slice) {
    slices.push(run.slice(Math.min(options.slice, options.inputs - done), done));
  }
  const cpu = process.cpuUsage(cpuStart);
  const end = sampleLoad();
  await gc.delivered();
  gc.stop();
  return {
    ...run.timings(),
    slices,
    pauses: gc.pauses,
    slowest: run.slowest.retake(engine),
    recordedPerInput: (run.journal.bytes - bytesBefore) / options.inputs,
    load: { start, end },
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** The engine fed by the stream, one state after another, each decision timed and recorded. */
class DecideRun {
  readonly #engine: Engine;
  readonly #stream: InputStream;
  readonly journal = new SqliteJournal();
  #state: EngineState;
  readonly #startedAt: Float64Array;
  readonly #tookMs: Float64Array;
  readonly #kinds: Array<Input['kind']>;
  readonly #commands: Record<string, number> = {};
  readonly slowest = new SlowestDecisions(20);

  constructor(engine: Engine, stream: InputStream, inputs: number) {
    this.#engine = engine;
    this.#stream = stream;
    this.#state = engine.initialState();
    this.#startedAt = new Float64Array(inputs);
    this.#tookMs = new Float64Array(inputs);
    this.#kinds = new Array(inputs);
  }

  /** Decide and record `count` inputs; `first` is the index of the first measured one (null: warm-up). */
  slice(count: number, first: number | null): Slice {
    const waited = readWaitedMs();
    let decideMs = 0;
    // One transaction per slice, as a journal batches; the table is emptied (untimed) so every
    // slice writes into the same small table.
    this.journal.clear();
    let started = performance.now();
    this.journal.begin();
    let baselineMs = performance.now() - started;
    for (let k = 0; k < count; k++) {
      const input = this.#stream.next();
      const before = this.#state;
      started = performance.now();
      const decision = this.#engine.decide(before, input, input.at);
      const recording = performance.now();
      this.journal.record(input, decision);
      const recorded = performance.now();
      decideMs += recording - started;
      baselineMs += recorded - recording;
      this.#state = decision.state;
      this.#stream.observe(decision.commands);
      if (first !== null)
        this.#keep(first + k, input, decision, started, recording - started, before);
    }
    started = performance.now();
    this.journal.commit();
    baselineMs += performance.now() - started;
    return { inputs: count, decideMs, baselineMs, waitedMs: readWaitedMs() - waited };
  }

  #keep(
    index: number,
    input: Input,
    decision: Decision<EngineState>,
    started: number,
    took: number,
    before: EngineState,
  ): void {
    this.#startedAt[index] = started;
    this.#tookMs[index] = took;
    this.#kinds[index] = input.kind;
    for (const { kind } of decision.commands)
      this.#commands[kind] = (this.#commands[kind] ?? 0) + 1;
    if (took > this.slowest.threshold) this.slowest.offer(index, took, before, input);
  }

  timings() {
    return {
      startedAt: this.#startedAt,
      tookMs: this.#tookMs,
      kinds: this.#kinds,
      commands: this.#commands,
      state: this.#state,
    };
  }
}
