import type { Engine, EngineState } from '../../src/policy/index.ts';
import type { Input } from '../../src/policy/types.ts';

export interface SlowDecision {
  index: number;
  kind: Input['kind'];
  tookMs: number;
  /** The same decision taken again at the end of the run (fastest of a few): its own work. */
  againMs: number;
}

interface Kept {
  index: number;
  tookMs: number;
  state: EngineState;
  input: Input;
}

/**
 * The slowest decisions of a run, with the state they were taken from, so each can be taken
 * again once the run is over. `decide` is pure: the same state and input do the same work, so a
 * decision that is fast the second time was slow for a reason outside it (a GC pause, a JIT
 * compile, the thread waiting for a core), and one that is slow again is slow by its own work
 * (a big incident group, a long walk). Only a few are kept: each holds a state version.
 */
export class SlowestDecisions {
  readonly #keep: number;
  /** Slowest first. */
  readonly #kept: Kept[] = [];

  constructor(keep: number) {
    this.#keep = keep;
  }

  /** The time a decision must exceed to be kept. */
  get threshold(): number {
    return this.#kept.length < this.#keep ? 0 : this.#kept.at(-1)!.tookMs;
  }

  offer(index: number, tookMs: number, state: EngineState, input: Input): void {
    if (tookMs <= this.threshold) return;
    let at = this.#kept.length;
    while (at > 0 && this.#kept[at - 1]!.tookMs < tookMs) at--;
    this.#kept.splice(at, 0, { index, tookMs, state, input });
    if (this.#kept.length > this.#keep) this.#kept.pop();
  }

  /** Take each kept decision again, `times` times, and keep the fastest. */
  retake(engine: Engine, times = 5): SlowDecision[] {
    return this.#kept.map(({ index, tookMs, state, input }) => {
      let againMs = Number.POSITIVE_INFINITY;
      for (let i = 0; i < times; i++) {
        const started = performance.now();
        engine.decide(state, input, input.at);
        againMs = Math.min(againMs, performance.now() - started);
      }
      return { index, kind: input.kind, tookMs, againMs };
    });
  }
}
