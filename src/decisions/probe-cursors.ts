import type { ProbeOutcome } from '../signals/scheduler.ts';
import type { ProbeCursor, Store } from '../store/store.ts';
import type { Logger } from '../support/log.ts';

/**
 * Keeps where each check's probe got to (a followed log file's offset) in the store, so a restart
 * goes on from there. Cursors change on every run of such a probe: the latest per check is held
 * and written in one transaction per period, not once per probe. A write that fails is retried
 * with the next one; what a crash loses is at most one period of lines read again.
 */
export class ProbeCursorKeeper {
  readonly #store: Pick<Store, 'saveProbeCursors'>;
  readonly #log: Logger;
  readonly #periodMs: number;
  readonly #now: () => number;
  #pending = new Map<string, unknown>();
  /** The last cursor written per check, so an unchanged one is not written again. */
  readonly #written = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #failedBefore = false;

  constructor(options: {
    store: Pick<Store, 'saveProbeCursors'>;
    log: Logger;
    /** The cursors the store held at start: not written again until they move. */
    kept?: readonly ProbeCursor[];
    periodMs?: number;
    now?: () => number;
  }) {
    this.#store = options.store;
    this.#log = options.log;
    this.#periodMs = options.periodMs ?? 1000;
    this.#now = options.now ?? Date.now;
    for (const { check, cursor } of options.kept ?? []) {
      this.#written.set(check, JSON.stringify(cursor));
    }
  }

  note(outcomes: readonly ProbeOutcome[]): void {
    for (const { key, observation } of outcomes) {
      if (observation.cursor === undefined) continue;
      this.#pending.set(key, observation.cursor);
    }
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.flush(), this.#periodMs);
    this.#timer.unref();
  }

  /** Writes what moved since the last write; the stop calls it once more after probing stops. */
  flush(): Promise<void> {
    this.#writing = this.#writing.then(() => this.#write());
    return this.#writing;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  async #write(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    const at = this.#now();
    const moved: ProbeCursor[] = [];
    for (const [check, cursor] of pending) {
      if (this.#written.get(check) === JSON.stringify(cursor)) continue;
      moved.push({ check, cursor, updatedAt: at });
    }
    if (moved.length === 0) return;
    try {
      await this.#store.saveProbeCursors(moved);
      for (const { check, cursor } of moved) this.#written.set(check, JSON.stringify(cursor));
      this.#failedBefore = false;
    } catch (err) {
      // Kept for the next write, unless a newer cursor came meanwhile.
      for (const { check, cursor } of moved) {
        if (!this.#pending.has(check)) this.#pending.set(check, cursor);
      }
      if (!this.#failedBefore) {
        this.#log.warn(
          `cannot keep where ${moved.length} probe(s) got to (${(err as Error).message}); retrying`,
        );
      }
      this.#failedBefore = true;
    }
  }
}
