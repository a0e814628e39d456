import type { Signal, SignalConsumer } from '../signals/signal.ts';
import type { ReplicaStore } from '../store/replica-records.ts';
import type { Logger } from '../support/log.ts';
import type { SignalRoute } from './signal-route.ts';

const BATCH = 200;
const SWITCH_RETRY_MS = 20;

/**
 * The leader's side of the inbox: the followers' signals, oldest first, each decided (recorded)
 * by the leader's loop before it leaves the inbox. A leader that dies between the two leaves it
 * there, and the next leader decides it again: at least once, in order. A second copy of a
 * signal changes nothing the engine holds (the same fingerprint, the same status).
 */
export class InboxReader {
  readonly #store: Pick<ReplicaStore, 'inbox' | 'dropFromInbox'>;
  readonly #consumer: SignalConsumer;
  readonly #log: Logger;
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> = Promise.resolve();
  #stopped = false;
  #failing = false;
  readonly #route: SignalRoute | undefined;
  #switched = false;

  constructor(options: {
    store: Pick<ReplicaStore, 'inbox' | 'dropFromInbox'>;
    consumer: SignalConsumer;
    log: Logger;
    pollMs: number;
    /**
     * This replica's own route: it goes on sending to the inbox until the inbox has been
     * emptied once, then straight to `consumer`, so its signals keep their order across the
     * switch (a resolution never overtakes the firing before it).
     */
    route?: SignalRoute;
  }) {
    this.#store = options.store;
    this.#consumer = options.consumer;
    this.#log = options.log;
    this.#pollMs = options.pollMs;
    this.#route = options.route;
  }

  start(): void {
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#reading;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#reading = this.#readOnce().then((next) => this.#schedule(next));
    }, delayMs);
  }

  /** One batch; how long to wait before the next (none when it was full: more may wait). */
  async #readOnce(): Promise<number> {
    const taken: number[] = [];
    let next = this.#pollMs;
    try {
      const mark = this.#route?.mark() ?? 0;
      const batch = await this.#store.inbox(BATCH);
      if (batch.length === BATCH) next = 0;
      if (batch.length === 0 && this.#route !== undefined && !this.#switched) {
        this.#switched = this.#route.switchIfQuiet(mark, this.#consumer);
        // A signal of ours is on its way to the inbox: look again as soon as it is there.
        if (!this.#switched) next = SWITCH_RETRY_MS;
      }
      for (const { id, signal } of batch) {
        if (this.#stopped) break;
        await this.#consumer.consume(signal as Signal);
        taken.push(id);
      }
      this.#failing = false;
    } catch (err) {
      next = this.#pollMs;
      if (!this.#failing)
        this.#log.warn({ err }, 'cannot take the followers\u2019 signals now; retrying');
      this.#failing = true;
    }
    await this.#store.dropFromInbox(taken).catch((err: unknown) => {
      this.#log.warn({ err }, 'cannot drop signals taken from the inbox; they are decided again');
    });
    return next;
  }
}
