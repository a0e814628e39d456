import type { Logger } from '../log.ts';
import type { Signal, SignalConsumer } from './signal.ts';

const RETRY_MS = 1000;

/**
 * Hands signals to the consumer one at a time, in the order they happened. A consumer that fails
 * (the store is locked or full) keeps the signal at the head of the queue and is retried: a signal
 * is never dropped while the process lives, and the order is never changed.
 */
export class SignalQueue {
  readonly #consumer: SignalConsumer;
  readonly #log: Logger;
  readonly #queue: Signal[] = [];
  #draining: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failing = false;

  constructor(consumer: SignalConsumer, log: Logger) {
    this.#consumer = consumer;
    this.#log = log;
  }

  get length(): number {
    return this.#queue.length;
  }

  push(signal: Signal): void {
    this.#queue.push(signal);
    if (!this.#failing) this.#draining ??= this.#drain();
  }

  /** Resolves when the queue is empty, or rejects after `deadlineMs` with what is left. */
  async flush(deadlineMs: number): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#failing = false;
    const deadline = Date.now() + deadlineMs;
    while (this.#queue.length > 0 && Date.now() < deadline) {
      this.#draining ??= this.#drain();
      await this.#draining;
      if (this.#queue.length > 0) await new Promise((r) => setTimeout(r, 100));
    }
    if (this.#queue.length > 0) {
      throw new Error(`${this.#queue.length} signal(s) could not be recorded before the deadline`);
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const signal = this.#queue[0]!;
        try {
          await this.#consumer.consume(signal);
        } catch (err) {
          this.#failing = true;
          this.#log.error(
            { err, pending: this.#queue.length },
            `cannot record signal for ${signal.service}/${signal.check ?? signal.source}; retrying in ${RETRY_MS} ms`,
          );
          this.#retryTimer = setTimeout(() => {
            this.#failing = false;
            this.#draining ??= this.#drain();
          }, RETRY_MS);
          return;
        }
        this.#queue.shift();
        if (this.#failing) this.#failing = false;
      }
    } finally {
      this.#draining = undefined;
    }
  }
}
