import type { AlertRecord, AlertWrite, Store } from '../store/store.ts';

/** Alerts written in one transaction at most; more wait for the next. */
const MAX_ALERTS_PER_WRITE = 20_000;

interface Waiting {
  records: readonly AlertRecord[];
  resolve(writes: AlertWrite[]): void;
  reject(error: unknown): void;
}

/**
 * Group commit for the alerts table. A durable write costs one sync of the store whatever it
 * holds, so the deliveries of one tick, and those that arrive while a write is in flight, go
 * together in one transaction, in arrival order (the store judges staleness in that order, within a write as across writes).
 * Each delivery still resolves only once its own alerts are committed. A write that fails is
 * retried one delivery at a time, so one delivery the store refuses fails alone.
 */
export class AlertWriteGroup {
  readonly #store: Pick<Store, 'recordAlerts'>;
  readonly #waiting: Waiting[] = [];
  #writing = false;

  constructor(store: Pick<Store, 'recordAlerts'>) {
    this.#store = store;
  }

  write(records: readonly AlertRecord[]): Promise<AlertWrite[]> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ records, resolve, reject });
      if (this.#writing) return;
      this.#writing = true;
      // One tick later: the deliveries read in this turn of the event loop go in the same write.
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0) await this.#writeNext(this.#take());
    } finally {
      this.#writing = false;
    }
  }

  #take(): Waiting[] {
    let count = 0;
    let n = 0;
    while (n < this.#waiting.length) {
      const size = this.#waiting[n]!.records.length;
      if (n > 0 && count + size > MAX_ALERTS_PER_WRITE) break;
      count += size;
      n++;
    }
    return this.#waiting.splice(0, n);
  }

  async #writeNext(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch;
      await this.#store.recordAlerts(only!.records).then(only!.resolve, only!.reject);
      return;
    }
    let writes: AlertWrite[];
    try {
      writes = await this.#store.recordAlerts(batch.flatMap((waiting) => waiting.records));
    } catch {
      for (const waiting of batch) {
        await this.#store.recordAlerts(waiting.records).then(waiting.resolve, waiting.reject);
      }
      return;
    }
    let offset = 0;
    for (const waiting of batch) {
      waiting.resolve(writes.slice(offset, offset + waiting.records.length));
      offset += waiting.records.length;
    }
  }
}
