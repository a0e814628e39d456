import type { Logger } from '../log.ts';
import type { Signal, SignalConsumer } from './signal.ts';

export interface SignalStore {
  recordSignal(signal: Signal): Promise<unknown>;
}

/**
 * Until the decision engine consumes signals, mend records each one durably and logs it.
 * Recording comes first: a signal is logged as seen only once it is in the store.
 */
export class RecordingConsumer implements SignalConsumer {
  readonly #store: SignalStore;
  readonly #log: Logger;

  constructor(store: SignalStore, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  async consume(signal: Signal): Promise<void> {
    await this.#store.recordSignal(signal);
    const line = `${signal.service}/${signal.check ?? signal.source} ${signal.status}: ${signal.summary}`;
    const fields = {
      signal: {
        fingerprint: signal.fingerprint,
        service: signal.service,
        check: signal.check,
        status: signal.status,
        startsAt: new Date(signal.startsAt).toISOString(),
      },
    };
    if (signal.status === 'firing') this.#log.warn(fields, line);
    else this.#log.info(fields, line);
  }
}
