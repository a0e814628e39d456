import type { Signal, SignalConsumer } from '../signals/signal.ts';
import type { ReplicaStore } from '../store/replica-records.ts';

/**
 * Where this replica's signals go: to its own decision loop while it leads, to the leader's
 * inbox in the store while it follows. The prober and the alert intake hand signals here and
 * need not know which.
 */
export class SignalRoute implements SignalConsumer {
  #to: SignalConsumer;
  /** Signals handed over so far, and those not yet taken: for a switch that keeps the order. */
  #handed = 0;
  #inFlight = 0;

  constructor(to: SignalConsumer) {
    this.#to = to;
  }

  /** A mark to pass to `switchIfQuiet`: take it before reading what went the old way. */
  mark(): number {
    return this.#handed;
  }

  /**
   * Send signals to `to` from now on, if nothing was handed over since `mark` and nothing is in
   * flight: so every signal that went the old way (the inbox) was there when the caller looked,
   * and none sent the new way overtakes it. False: look again and retry.
   */
  switchIfQuiet(mark: number, to: SignalConsumer): boolean {
    if (this.#inFlight > 0 || this.#handed !== mark) return false;
    this.#to = to;
    return true;
  }

  async consume(signal: Signal): Promise<void> {
    this.#handed++;
    this.#inFlight++;
    try {
      await this.#to.consume(signal);
    } finally {
      this.#inFlight--;
    }
  }
}

/** A follower's consumer: the signal is in the leader's inbox (durable) when this resolves. */
export function inboxSender(
  store: Pick<ReplicaStore, 'sendSignals'>,
  self: string,
): SignalConsumer {
  return { consume: (signal) => store.sendSignals(self, [signal]) };
}
