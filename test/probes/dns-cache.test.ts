import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { test } from 'node:test';
import { createDnsCache } from '../../src/signals/dns-cache.ts';

function fakeResolver(answers: Record<string, LookupAddress[]>) {
  const calls: string[] = [];
  const query = async (host: string): Promise<LookupAddress[]> => {
    calls.push(host);
    await new Promise((r) => setImmediate(r));
    const found = answers[host];
    if (found) return found;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  };
  return { calls, query };
}

const db: LookupAddress[] = [
  { address: '10.0.0.5', family: 4 },
  { address: 'fd00::5', family: 6 },
];

test('dns cache: answers are reused until the TTL passes, then asked again', async () => {
  let now = 1000;
  const { calls, query } = fakeResolver({ db });
  const cache = createDnsCache({ ttlMs: 30_000, now: () => now, query });
  assert.deepEqual(await cache.resolve('db'), db);
  now += 29_999;
  assert.deepEqual(await cache.resolve('db'), db);
  assert.deepEqual(cache.peek('db'), db);
  assert.equal(calls.length, 1);
  now += 1;
  assert.equal(cache.peek('db'), undefined);
  await cache.resolve('db');
  assert.equal(calls.length, 2);
});

test('dns cache: failures are remembered for the shorter negative TTL', async () => {
  let now = 0;
  const { calls, query } = fakeResolver({});
  const cache = createDnsCache({ negativeTtlMs: 5_000, now: () => now, query });
  await assert.rejects(cache.resolve('gone'), { code: 'ENOTFOUND' });
  now += 4_999;
  await assert.rejects(cache.resolve('gone'), { code: 'ENOTFOUND' });
  assert.equal(calls.length, 1);
  now += 1;
  await assert.rejects(cache.resolve('gone'), { code: 'ENOTFOUND' });
  assert.equal(calls.length, 2);
});

test('dns cache: concurrent lookups of one name share one query', async () => {
  const { calls, query } = fakeResolver({ db });
  const cache = createDnsCache({ query });
  const answers = await Promise.all([
    cache.resolve('db'),
    cache.resolve('db'),
    cache.resolve('db'),
  ]);
  assert.equal(calls.length, 1);
  for (const answer of answers) assert.deepEqual(answer, db);
});

test('dns cache: IP literals never reach the resolver', async () => {
  const { calls, query } = fakeResolver({});
  const cache = createDnsCache({ query });
  assert.deepEqual(await cache.resolve('127.0.0.1'), [{ address: '127.0.0.1', family: 4 }]);
  assert.deepEqual(cache.peek('::1'), [{ address: '::1', family: 6 }]);
  assert.equal(calls.length, 0);
});

test('dns cache: the oldest entry is evicted beyond maxEntries', async () => {
  const { calls, query } = fakeResolver({ a: db, b: db, c: db });
  const cache = createDnsCache({ maxEntries: 2, query });
  await cache.resolve('a');
  await cache.resolve('b');
  await cache.resolve('c');
  assert.equal(cache.peek('a'), undefined);
  assert.deepEqual(cache.peek('c'), db);
  assert.equal(calls.length, 3);
});

test('dns cache: lookup speaks the net.connect protocol (one address, all, by family)', async () => {
  const { query } = fakeResolver({ db });
  const { lookup } = createDnsCache({ query });
  const call = (options: Parameters<typeof lookup>[1]) =>
    new Promise<unknown[]>((resolve) =>
      lookup('db', options, (...args: unknown[]) => resolve(args)),
    );
  assert.deepEqual(await call({}), [null, '10.0.0.5', 4]);
  assert.deepEqual(await call({ family: 6 }), [null, 'fd00::5', 6]);
  assert.deepEqual(await call({ all: true }), [null, db]);
  assert.deepEqual(await call({ all: true, family: 4 }), [null, [db[0]]]);
  const [error] = await new Promise<unknown[]>((resolve) =>
    lookup('missing', {}, (...args: unknown[]) => resolve(args)),
  );
  assert.equal((error as NodeJS.ErrnoException).code, 'ENOTFOUND');
});
