import type { EngineState } from '../policy/index.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../support/log.ts';

/**
 * Saves the engine state every `every` recorded inputs (and on stop), so a start replays only
 * the inputs after the latest snapshot instead of the whole history.
 */
export class Snapshots {
  readonly #store: Pick<Store, 'saveSnapshot'>;
  readonly #log: Logger;
  readonly #every: number;
  #since = 0;

  constructor(store: Pick<Store, 'saveSnapshot'>, log: Logger, every: number) {
    this.#store = store;
    this.#log = log;
    this.#every = every;
  }

  /** One more input recorded; saves when `every` have been since the last snapshot. */
  async recorded(at: { seq: number; at: number; state: EngineState; revision: string }) {
    if (++this.#since >= this.#every) await this.save(at);
  }

  /** Saves unless nothing was recorded since the last snapshot. */
  async saveIfBehind(at: { seq: number; at: number; state: EngineState; revision: string }) {
    if (this.#since > 0) await this.save(at);
  }

  async save(at: { seq: number; at: number; state: EngineState; revision: string }): Promise<void> {
    try {
      await this.#store.saveSnapshot({
        inputSeq: at.seq,
        at: at.at,
        state: at.state,
        configRevision: at.revision,
      });
      this.#since = 0;
    } catch (err) {
      // Not fatal: the inputs are recorded, so the state can still be rebuilt from them.
      this.#log.warn({ err }, 'cannot save the decision state snapshot; will retry');
    }
  }
}
