import type { Logger } from '../support/log.ts';
import { persistently } from '../support/persistently.ts';
import type { Signal, SignalConsumer } from './signal.ts';

/**
 * Hands signals to the consumer one at a time, in the order they happened. A consumer that fails
 * (the store is locked or full) keeps the signal at the head of the queue and is retried with
 * backoff: a signal is never dropped while the process lives, and the order is never changed.
 */
export class SignalQueue {
  readonly #consumer: SignalConsumer;
  readonly #log: Logger;
  readonly #queue: Signal[] = [];
  readonly #stopping = new AbortController();
  #draining: Promise<void> | undefined;

  constructor(consumer: SignalConsumer, log: Logger) {
    this.#consumer = consumer;
    this.#log = log;
  }

  get length(): number {
    return this.#queue.length;
  }

  push(signal: Signal): void {
    this.#queue.push(signal);
    if (!this.#stopping.signal.aborted) this.#kick();
  }

  /**
   * Hand over everything queued until the deadline, then stop for good: what is left is reported
   * in the rejection, so the caller can exit non-zero instead of losing it quietly.
   */
  async flush(deadlineMs: number): Promise<void> {
    const deadline = setTimeout(() => this.#stopping.abort(), deadlineMs);
    try {
      if (this.#queue.length > 0) await this.#kick();
    } finally {
      clearTimeout(deadline);
      this.#stopping.abort();
    }
    if (this.#queue.length > 0) {
      const first = this.#queue[0]!;
      throw new Error(
        `${this.#queue.length} signal(s) could not be recorded before the deadline, the first: ${first.service}/${first.check ?? first.source} ${first.status} at ${new Date(first.at).toISOString()}`,
      );
    }
  }

  #kick(): Promise<void> {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const signal = this.#queue[0]!;
      try {
        await persistently(() => this.#consumer.consume(signal), {
          what: `record the signal of ${signal.service}/${signal.check ?? signal.source} (${this.#queue.length} waiting)`,
          log: this.#log,
          signal: this.#stopping.signal,
          initialDelayMs: 100,
          maxDelayMs: 1000,
        });
      } catch {
        return; // stopping: flush reports what is left
      }
      this.#queue.shift();
    }
  }
}
