import type { Config } from './config/config.ts';
import { humanDuration } from './config/kinds/duration.ts';
import { STORE_OUTAGE_DEFAULTS } from './config/kinds/settings.ts';
import {
  downNotice,
  exitNotice,
  type OutageNotice,
  recoveredNotice,
  unrecordedLine,
} from './decisions/outage-notices.ts';
import { type Held, StoreOutage } from './decisions/store-outage.ts';
import { sendUnrecordedNotice } from './notify/unrecorded-notice.ts';
import type { Store } from './store/store.ts';
import type { StoreLock } from './store/store-lock.ts';
import { watchStore } from './store/watched-store.ts';
import type { Logger } from './support/log.ts';
import type { Metrics } from './support/metrics.ts';

export interface StoreWatchOptions {
  /** The store as opened. */
  store: Store;
  /** As messages name it. */
  path: string;
  lock: StoreLock;
  config: () => Config;
  log: Logger;
  metrics: Metrics;
  /** What mend holds that the store has not taken yet. */
  held: () => Held;
  /** The store records again: send out what waited for it. */
  resume: () => Promise<void>;
  /** The outage outlasted its bound: stop mend, non-zero, saying why. */
  expire: (reason: string) => void;
}

/** The store as the running controller uses it, watched for outages. */
export interface StoreWatch {
  /** The store every part of mend uses: each StoreError it meets starts (or feeds) an outage. */
  readonly store: Store;
  start(): void;
  /** Whether the store is in an outage now. */
  readonly down: boolean;
  /** For /readyz: rejects with the outage while there is one, else asks the store. */
  ping(): Promise<void>;
  /** mend is stopping: an outage that begins now is said at exit, not paged on its own. */
  stopping(): void;
  /**
   * After every part stopped, before the store closes: stop watching. When something was not
   * recorded, returns the one line that says how much (logged by the caller, once), and when the
   * store was down, sends it to the notifiers too, within `deadline` (epoch ms).
   */
  finish(left: Held, deadline: number): Promise<string | undefined>;
}

/**
 * Wires the outage monitor (decisions/store-outage.ts) to the rest of mend: every store call
 * reports its StoreErrors to it; an outage sets mend_store_up 0, fails /readyz, pages every
 * notifier without the store, and stops mend after Settings `storeOutage.exitAfter`; a recovery
 * resolves the page and resumes what waited.
 */
export function watchStoreOutages(options: StoreWatchOptions): StoreWatch {
  const { path, log, metrics } = options;
  const sending = new Set<Promise<unknown>>();
  const notify = (notice: OutageNotice): Promise<unknown> => {
    const sent = sendUnrecordedNotice(options.config().notifiers, notice, { log, metrics }).then(
      ({ delivered, failed }) => {
        if (delivered.length + failed.length === 0) {
          log.warn(`${notice.key}: no notifier in the config; nobody was told`);
        }
      },
    );
    sending.add(sent);
    return sent.finally(() => sending.delete(sent));
  };
  const outage = new StoreOutage({
    store: options.store,
    path,
    problem: () => options.lock.problem(),
    held: options.held,
    exitAfterMs: () => (options.config().settings.storeOutage ?? STORE_OUTAGE_DEFAULTS).exitAfterMs,
    log,
    onDown(down, held) {
      metrics.storeUp.set(0);
      void notify(downNotice(path, down, held));
    },
    onRecovered(over, until) {
      metrics.storeUp.set(1);
      void notify(recoveredNotice(path, over, until));
      options.resume().catch((err: unknown) => {
        log.error({ err }, 'cannot resume the commands that waited for the store');
      });
    },
    onExpired(down) {
      options.expire(
        `store ${path} could not record for ${humanDuration(Date.now() - down.since)} (Settings storeOutage.exitAfter): ${down.reason}`,
      );
    },
  });
  const writes = metrics.storeWrites;
  const store = watchStore(
    options.store,
    (error) => outage.failed(error),
    (operation, seconds) => writes.observe({ operation }, seconds),
  );

  return {
    store,
    start: () => outage.start(),
    get down() {
      return outage.current !== undefined;
    },
    async ping() {
      const down = outage.describe();
      if (down !== undefined) throw new Error(down);
      try {
        await store.ping();
      } catch (err) {
        // The ping itself may be what began the outage: say it as the outage.
        throw new Error(outage.describe() ?? (err as Error).message, { cause: err });
      }
    },
    stopping: () => outage.stopping(),
    async finish(left, deadline) {
      const down = outage.current;
      outage.stop();
      if (left.signals + left.outcomes === 0 && down === undefined) {
        await within(Promise.allSettled([...sending]), deadline);
        return undefined;
      }
      const line = unrecordedLine(path, left, down);
      if (down !== undefined) void notify(exitNotice(path, down, left, Date.now()));
      await within(Promise.allSettled([...sending]), deadline);
      return line;
    },
  };
}

/** Waits for `work` until `deadline` (at least a second), not after. */
async function within(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(1000, deadline - Date.now()));
  });
  await Promise.race([work, late]);
  clearTimeout(timer);
}
