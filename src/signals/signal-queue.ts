import type { Logger } from '../support/log.ts';
import type { Signal, SignalConsumer } from './signal.ts';

const RETRY_MS = 1000;
const FLUSH_RETRY_MS = 100;

/**
 * Hands signals to the consumer one at a time, in the order they happened. A consumer that fails
 * (the store is locked or full) keeps the signal at the head of the queue and is retried: a signal
 * is never dropped while the process lives, and the order is never changed.
 */
export class SignalQueue {
  readonly #consumer: SignalConsumer;
  readonly #log: Logger;
  readonly #queue: Signal[] = [];
  #draining: Promise<boolean> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  constructor(consumer: SignalConsumer, log: Logger) {
    this.#consumer = consumer;
    this.#log = log;
  }

  get length(): number {
    return this.#queue.length;
  }

  push(signal: Signal): void {
    this.#queue.push(signal);
    if (this.#retryTimer === undefined) this.#kick();
  }

  /**
   * Hand over everything queued, retrying quickly, until the deadline. Then stop for good: what is
   * left is reported in the rejection, so the caller can exit non-zero instead of losing it quietly.
   */
  async flush(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (this.#queue.length > 0 && Date.now() < deadline) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      const ok = await this.#kick();
      if (!ok) await new Promise((resolve) => setTimeout(resolve, FLUSH_RETRY_MS));
    }
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    if (this.#queue.length > 0) {
      const first = this.#queue[0]!;
      throw new Error(
        `${this.#queue.length} signal(s) could not be recorded before the deadline, the first: ${first.service}/${first.check ?? first.source} ${first.status} at ${new Date(first.at).toISOString()}`,
      );
    }
  }

  #kick(): Promise<boolean> {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  /** Resolves true when the queue emptied, false when the consumer failed (a retry is armed). */
  async #drain(): Promise<boolean> {
    while (this.#queue.length > 0) {
      const signal = this.#queue[0]!;
      try {
        await this.#consumer.consume(signal);
      } catch (err) {
        // Log the first failure of a run, not every retry: one clear line, then silence until it heals.
        if (this.#failures++ === 0) {
          this.#log.error(
            { err, pending: this.#queue.length },
            `cannot record signal for ${signal.service}/${signal.check ?? signal.source}; retrying every ${RETRY_MS} ms`,
          );
        }
        if (!this.#closed) {
          this.#retryTimer = setTimeout(() => {
            this.#retryTimer = undefined;
            void this.#kick();
          }, RETRY_MS);
        }
        return false;
      }
      this.#queue.shift();
      if (this.#failures > 0) {
        this.#log.info(`recording signals again after ${this.#failures} failed attempt(s)`);
        this.#failures = 0;
      }
    }
    return true;
  }
}
