import { sleep } from '../../support/sleep.ts';
import { type KubeObject, listAll } from '../actions/objects.ts';
import { KubeApiError } from '../client/api-error.ts';
import type { KubeClient } from '../client/kube-client.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Why the reflector is not watching for a while: the request that failed and what it said. */
export interface WatchFailure {
  /** `list pods`, `watch pods`, `watch pods cut` ... */
  what: string;
  error: Error;
  /** When it tries again. */
  retryInMs: number;
}

export interface ReflectorOptions {
  client: KubeClient;
  /** The collection: `/api/v1/namespaces/shop/pods`. */
  path: string;
  /** What the list and the watch select (labelSelector, fieldSelector). */
  query: Record<string, string>;
  /** The resource in words, for failures: `pods in shop`. */
  what: string;
  /** One object changed; the cache already holds the new state (DELETED: no longer). */
  onChange(type: ChangeType, object: KubeObject, previous: KubeObject | undefined): void;
  /** A (re)list was applied: the cache is the server's state at that list. */
  onSynced(): void;
  onFailure(failure: WatchFailure): void;
  signal: AbortSignal;
  /** The first retry after a failure; doubled each time, at most `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

const BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** client-go's reflector asks for a watch of 5 to 10 minutes, at random: they do not expire together. */
const WATCH_MIN_SECONDS = 300;

/**
 * One collection kept in memory as client-go's Reflector keeps it: a list (a resourceVersion),
 * then a watch from there with bookmarks, resumed from the last version seen when the stream
 * ends, a list again on 410 Gone (the history no longer reaches back). A list applied over what
 * the cache held is a diff (added, modified by resourceVersion, deleted), so a change that fell
 * in the gap is seen once, never twice. Failures (401, 403, 429, 5xx, a connection lost, a
 * watch cut early) are reported and retried with backoff; they never end the loop. No polling:
 * between changes it only waits on the stream.
 */
export class Reflector {
  readonly #options: ReflectorOptions;
  readonly #cache = new Map<string, KubeObject>();
  #version: string | undefined;
  #synced = false;
  #failing: string | undefined;
  lists = 0;
  watches = 0;

  constructor(options: ReflectorOptions) {
    this.#options = options;
  }

  /** The objects as last seen. */
  get objects(): IterableIterator<KubeObject> {
    return this.#cache.values();
  }

  get synced(): boolean {
    return this.#synced;
  }

  /**
   * Why what the cache holds may be behind the server now: the last request failed, and no list
   * or watch event has come since. Undefined while it is current.
   */
  get failing(): string | undefined {
    return this.#failing;
  }

  /** Runs until the signal fires. Never rejects. */
  async run(): Promise<void> {
    const { signal } = this.#options;
    let backoff = this.#options.backoffMs ?? BACKOFF_MS;
    const max = this.#options.maxBackoffMs ?? MAX_BACKOFF_MS;
    const fail = async (what: string, error: unknown): Promise<boolean> => {
      if (signal.aborted) return false;
      const err = error instanceof Error ? error : new Error(String(error));
      this.#failing = `${what} ${this.#options.what}: ${err.message}`;
      this.#options.onFailure({
        what: `${what} ${this.#options.what}`,
        error: err,
        retryInMs: backoff,
      });
      const slept = await sleep(backoff, signal);
      backoff = Math.min(max, backoff * 2);
      return slept;
    };
    while (!signal.aborted) {
      if (this.#version === undefined) {
        try {
          await this.#list();
          backoff = this.#options.backoffMs ?? BACKOFF_MS;
        } catch (err) {
          if (!(await fail('list', err))) return;
          continue;
        }
      }
      let end: WatchEnd;
      try {
        end = await this.#watchOnce();
      } catch (err) {
        // A server that answers the watch itself with 410 (not an ERROR event): list again.
        if (err instanceof KubeApiError && err.status === 410) end = { kind: 'expired' };
        else {
          if (!(await fail('watch', err))) return;
          continue;
        }
      }
      if (end.kind === 'expired') {
        // 410 Gone: the version is too old to watch from; list again (a diff, see #list).
        this.#version = undefined;
        continue;
      }
      if (end.kind === 'cut') {
        if (end.events > 0) backoff = this.#options.backoffMs ?? BACKOFF_MS;
        const error = new Error(
          `the server closed the watch after ${end.events} event(s) and ${Math.round(end.ms)} ms, before its ${end.timeoutSeconds} s; watching again from resourceVersion ${this.#version}`,
        );
        // A stream that said something is resumed at once; an empty one after the backoff.
        if (end.events > 0) {
          if (signal.aborted) return;
          this.#options.onFailure({ what: `watch ${this.#options.what}`, error, retryInMs: 0 });
        } else if (!(await fail('watch', error))) return;
      }
      // 'timeout': the watch ran its time, as asked; watch again from the last version.
      else if (end.events > 0) backoff = this.#options.backoffMs ?? BACKOFF_MS;
    }
  }

  async #list(): Promise<void> {
    const { client, path, query, signal } = this.#options;
    const list = await listAll(client, path, query, signal, 50_000);
    this.lists++;
    const seen = new Set<string>();
    for (const object of list.items) {
      const key = keyOf(object);
      seen.add(key);
      const previous = this.#cache.get(key);
      if (previous?.metadata.resourceVersion === object.metadata.resourceVersion) continue;
      this.#cache.set(key, object);
      this.#options.onChange(previous ? 'MODIFIED' : 'ADDED', object, previous);
    }
    for (const [key, previous] of [...this.#cache]) {
      if (seen.has(key)) continue;
      this.#cache.delete(key);
      this.#options.onChange('DELETED', previous, previous);
    }
    this.#version = list.metadata.resourceVersion;
    this.#synced = true;
    this.#failing = undefined;
    this.#options.onSynced();
  }

  async #watchOnce(): Promise<WatchEnd> {
    const { client, path, query, signal } = this.#options;
    const timeoutSeconds = WATCH_MIN_SECONDS + Math.floor(Math.random() * WATCH_MIN_SECONDS);
    const started = performance.now();
    let events = 0;
    this.watches++;
    const end = await client.watch(
      path,
      { ...query, resourceVersion: this.#version, allowWatchBookmarks: true, timeoutSeconds },
      (event) => {
        events++;
        const object = event.object as KubeObject;
        const version = object.metadata?.resourceVersion;
        if (version) this.#version = version;
        this.#failing = undefined;
        if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED') {
          return false;
        }
        const key = keyOf(object);
        const previous = this.#cache.get(key);
        if (event.type === 'DELETED') this.#cache.delete(key);
        else this.#cache.set(key, object);
        this.#options.onChange(event.type, object, previous);
        return false;
      },
      signal,
      () => {
        this.#failing = undefined;
      },
    );
    if (end === 'expired') return { kind: 'expired' };
    const ms = performance.now() - started;
    // A server ends a watch at its timeoutSeconds (give or take a second): that is no failure.
    const kind = ms >= timeoutSeconds * 1000 - 1000 ? 'timeout' : 'cut';
    return { kind, events, ms, timeoutSeconds };
  }
}

type WatchEnd =
  | { kind: 'expired' }
  | { kind: 'cut' | 'timeout'; events: number; ms: number; timeoutSeconds: number };

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}
