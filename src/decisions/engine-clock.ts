import { type EngineState, nextTimerAt } from '../policy/index.ts';
import type { Logger } from '../support/log.ts';
import { persistently } from '../support/persistently.ts';

/**
 * The engine's timers (`for` durations, cooldowns, approval expiries, ladder deadlines) as one
 * process timer: armed for the earliest, it submits a tick input at that time. The engine says
 * which timers it has; this only keeps time.
 */
export class EngineClock {
  readonly #now: () => number;
  readonly #tick: (at: number) => Promise<unknown>;
  readonly #log: Logger;
  readonly #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #armedAt = Number.POSITIVE_INFINITY;

  constructor(options: { now: () => number; tick: (at: number) => Promise<unknown>; log: Logger }) {
    this.#now = options.now;
    this.#tick = options.tick;
    this.#log = options.log;
  }

  /** Arm for the earliest timer of the state (or disarm when there is none). */
  arm(state: EngineState): void {
    if (this.#stopping.signal.aborted) return;
    const at = nextTimerAt(state.timers);
    if (at === null) {
      this.#disarm();
      return;
    }
    if (this.#timer !== undefined && this.#armedAt <= at) return;
    this.#disarm();
    this.#armedAt = at;
    this.#timer = setTimeout(() => this.#fire(at), Math.max(0, at - this.#now()));
  }

  stop(): void {
    this.#stopping.abort();
    this.#disarm();
  }

  #fire(at: number): void {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    persistently(() => this.#tick(Math.max(at, this.#now())), {
      what: 'record a timer decision',
      log: this.#log,
      signal: this.#stopping.signal,
    }).catch(() => {
      // Stopping: the timers are in the recorded state, so the next start arms them again.
    });
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
  }
}
