import type { Config } from '../config/config.ts';
import type { EngineState, Input } from '../policy/index.ts';
import type { Store } from '../store/store.ts';
import type { Logger } from '../support/log.ts';
import { operatorInput } from './operator-input.ts';

export type OperatorRequestStore = Pick<Store, 'pendingOperatorRequests' | 'rejectOperatorRequest'>;

export interface OperatorRequestsOptions {
  store: OperatorRequestStore;
  log: Logger;
  now: () => number;
  /** How often to look for requests (`mend approve`, `mend deny`, `mend breaker reset`). */
  pollMs: number;
  /** The decision state and config now, to judge a request against. */
  current(): { state: EngineState; config: Config };
  /** Decide on the request's input; the record marks the request applied. */
  submit(input: Input, operatorRequestId: number): Promise<unknown>;
}

/**
 * Operators' requests, written to the store by the CLI (and later the API), taken in order: each
 * becomes an engine input, or is rejected with the reason its sender reads.
 */
export class OperatorRequests {
  readonly #options: OperatorRequestsOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** The poll running now: polls never overlap, or one request could be applied twice. */
  #polling: Promise<void> | undefined;
  /** Failing since the last poll that worked: said once, and once when it works again. */
  #failing = false;

  constructor(options: OperatorRequestsOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => {
      if (!this.#polling) void this.pollNow();
    }, this.#options.pollMs);
  }

  /**
   * Take every pending request now (the API calls it after recording one, to answer with what
   * became of it); resolves when they are applied or rejected. A poll already running is joined
   * and then followed by a fresh one, so a request recorded just now is always taken.
   */
  async pollNow(): Promise<void> {
    while (this.#polling) await this.#polling;
    this.#polling = this.#poll().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  async #poll(): Promise<void> {
    const { store, log, now } = this.#options;
    if (this.#stopped) return;
    try {
      for (const request of await store.pendingOperatorRequests()) {
        if (this.#stopped) return;
        const { state, config } = this.#options.current();
        const verdict = operatorInput(request, state, config, now());
        if ('rejected' in verdict) {
          await store.rejectOperatorRequest(request.id, { at: now(), detail: verdict.rejected });
          log.warn(
            `operator request ${request.id} by ${request.actor} rejected: ${verdict.rejected}`,
          );
          continue;
        }
        log.info(`operator request ${request.id} by ${request.actor}: ${request.kind}`);
        await this.#options.submit(verdict.input, request.id);
      }
      if (this.#failing) log.info('operator requests: taken again');
      this.#failing = false;
    } catch (err) {
      // Once, not every poll: a store that is down for a minute is one line here.
      if (!this.#failing) {
        log.error({ err }, 'cannot take operator requests; trying every poll, quietly');
      }
      this.#failing = true;
    }
  }
}
