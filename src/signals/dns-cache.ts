import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * A small DNS cache for probes. At thousands of probes a second, asking the system resolver for
 * every connection costs more CPU than the probe itself and floods the resolver; answers are kept
 * for a fixed time instead (getaddrinfo does not expose record TTLs). Failures are kept for a
 * shorter time so a missing name is retried soon, and concurrent lookups of one name share a
 * single query.
 */
export interface DnsCacheOptions {
  /** How long an answer is reused. */
  ttlMs?: number;
  /** How long a failure (ENOTFOUND, SERVFAIL...) is reused. */
  negativeTtlMs?: number;
  /** Entries beyond this evict the oldest, so a stream of unique names cannot grow memory. */
  maxEntries?: number;
  now?: () => number;
  /** The real query; injectable for tests. Must return every address (all: true). */
  query?: (host: string) => Promise<LookupAddress[]>;
}

export interface DnsCache {
  /** The cached answer when it is fresh; synchronous so the hot path allocates no promise. */
  peek(host: string): LookupAddress[] | undefined;
  /** Every address of host, from the cache when fresh. Rejects with the resolver's error. */
  resolve(host: string): Promise<LookupAddress[]>;
  /** Drop-in for net.connect's `lookup` option. */
  lookup: LookupFunction;
}

interface Entry {
  expiresAt: number;
  addresses?: LookupAddress[];
  error?: NodeJS.ErrnoException;
}

const systemQuery = (host: string): Promise<LookupAddress[]> =>
  dns.promises.lookup(host, { all: true });

export function createDnsCache(options: DnsCacheOptions = {}): DnsCache {
  const ttlMs = options.ttlMs ?? 30_000;
  const negativeTtlMs = options.negativeTtlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const query = options.query ?? systemQuery;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<LookupAddress[]>>();

  function remember(host: string, entry: Entry): void {
    entries.delete(host);
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(host, entry);
  }

  function fresh(host: string): Entry | undefined {
    const entry = entries.get(host);
    return entry !== undefined && entry.expiresAt > now() ? entry : undefined;
  }

  function resolve(host: string): Promise<LookupAddress[]> {
    const family = isIP(host);
    if (family !== 0) return Promise.resolve([{ address: host, family }]);
    const entry = fresh(host);
    if (entry?.addresses) return Promise.resolve(entry.addresses);
    if (entry?.error) return Promise.reject(entry.error);
    let pending = inFlight.get(host);
    if (pending === undefined) {
      pending = query(host).then(
        (addresses) => {
          inFlight.delete(host);
          remember(host, { expiresAt: now() + ttlMs, addresses });
          return addresses;
        },
        (error: NodeJS.ErrnoException) => {
          inFlight.delete(host);
          remember(host, { expiresAt: now() + negativeTtlMs, error });
          throw error;
        },
      );
      inFlight.set(host, pending);
    }
    return pending;
  }

  function peek(host: string): LookupAddress[] | undefined {
    const family = isIP(host);
    if (family !== 0) return [{ address: host, family }];
    return fresh(host)?.addresses;
  }

  const lookup: LookupFunction = (host, lookupOptions, callback) => {
    resolve(host).then(
      (all) => {
        const wanted = familyOf(lookupOptions);
        const matching = wanted === 0 ? all : all.filter((a) => a.family === wanted);
        const first = matching[0];
        if (first === undefined) {
          callback(noAddress(host, wanted), lookupOptions.all ? [] : '', undefined);
        } else if (lookupOptions.all) {
          callback(null, matching);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, lookupOptions.all ? [] : '', undefined),
    );
  };

  return { peek, resolve, lookup };
}

function familyOf(options: LookupOptions): number {
  const family = options.family;
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}

function noAddress(host: string, family: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `getaddrinfo ENOTFOUND ${host} (no IPv${family} address)`,
  );
  error.code = 'ENOTFOUND';
  return error;
}

/** The process-wide cache the http and tcp probes share. */
export const dnsCache: DnsCache = createDnsCache();
