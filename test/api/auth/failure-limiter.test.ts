import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FailureLimiter } from '../../../src/api/auth/failure-limiter.ts';

const options = {
  maxFailures: 3,
  windowMs: 60_000,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  forgetAfterMs: 3_600_000,
  maxSources: 100,
};

test('three failures within the window block the address, and only it, for a growing delay', () => {
  const limiter = new FailureLimiter(options);
  const t = 1_000_000;
  assert.deepEqual(limiter.recordFailure('a', t), { blocked: false, failures: 1 });
  assert.deepEqual(limiter.recordFailure('a', t + 10), { blocked: false, failures: 2 });
  assert.deepEqual(limiter.check('a', t + 20), { allowed: true });
  assert.deepEqual(limiter.recordFailure('a', t + 20), {
    blocked: true,
    retryAfterMs: 1000,
    blocks: 1,
  });
  assert.deepEqual(limiter.check('a', t + 520), { allowed: false, retryAfterMs: 500 });
  assert.deepEqual(limiter.check('b', t + 520), { allowed: true });
  assert.deepEqual(limiter.check('a', t + 1020), { allowed: true });
  // The next block is twice as long, then four times, capped at maxDelayMs.
  const delays = [];
  let now = t + 1020;
  for (let block = 0; block < 5; block++) {
    let record = limiter.recordFailure('a', now);
    while (!record.blocked) record = limiter.recordFailure('a', ++now);
    delays.push(record.retryAfterMs);
    now += record.retryAfterMs;
  }
  assert.deepEqual(delays, [2000, 4000, 8000, 8000, 8000]);
});

test('failures older than the window do not count; a success forgives them', () => {
  const limiter = new FailureLimiter(options);
  limiter.recordFailure('a', 0);
  limiter.recordFailure('a', 30_000);
  assert.deepEqual(limiter.recordFailure('a', 60_001), { blocked: false, failures: 2 });
  limiter.recordSuccess('a', 60_002);
  assert.deepEqual(limiter.recordFailure('a', 60_003), { blocked: false, failures: 1 });
});

test('an address quiet for forgetAfterMs starts afresh: its next block is the first delay again', () => {
  const limiter = new FailureLimiter(options);
  for (let i = 0; i < 3; i++) limiter.recordFailure('a', i);
  for (let i = 0; i < 3; i++) limiter.recordFailure('a', 5000 + i);
  const later = 5002 + 2000 + 3_600_000;
  assert.equal(limiter.check('a', later).allowed, true);
  assert.equal(limiter.size, 0);
  limiter.recordFailure('a', later);
  limiter.recordFailure('a', later);
  assert.deepEqual(limiter.recordFailure('a', later), {
    blocked: true,
    retryAfterMs: 1000,
    blocks: 1,
  });
});

test('remembers at most maxSources addresses, forgetting the longest quiet first', () => {
  const limiter = new FailureLimiter({ ...options, maxSources: 3 });
  for (const source of ['a', 'b', 'c', 'a', 'd']) limiter.recordFailure(source, 0);
  assert.equal(limiter.size, 3);
  // b was the longest quiet: forgotten. a keeps its two failures: a third blocks it.
  assert.deepEqual(limiter.recordFailure('b', 1), { blocked: false, failures: 1 });
  assert.equal(limiter.size, 3);
  assert.deepEqual(limiter.recordFailure('a', 1), { blocked: true, retryAfterMs: 1000, blocks: 1 });
});

test('refuses settings that would never block or never end', () => {
  assert.throws(() => new FailureLimiter({ maxFailures: 0 }), RangeError);
  assert.throws(() => new FailureLimiter({ maxDelayMs: Number.POSITIVE_INFINITY }), RangeError);
});

test('property: an address never gets more than maxFailures tries within a window while unblocked, and a block holds until it ends', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ source: fc.constantFrom('a', 'b', 'c'), gap: fc.nat(3000) }), {
        maxLength: 200,
      }),
      (attempts) => {
        const limiter = new FailureLimiter(options);
        let now = 0;
        const tried = new Map<string, number[]>();
        const blockedUntil = new Map<string, number>();
        for (const { source, gap } of attempts) {
          now += gap;
          const check = limiter.check(source, now);
          const until = blockedUntil.get(source) ?? 0;
          assert.equal(check.allowed, now >= until, `${source} at ${now}, blocked until ${until}`);
          if (!check.allowed) {
            assert.equal(check.retryAfterMs, until - now);
            continue;
          }
          const record = limiter.recordFailure(source, now);
          const times = [...(tried.get(source) ?? []), now].filter(
            (at) => now - at < options.windowMs,
          );
          assert.ok(times.length <= options.maxFailures);
          tried.set(source, record.blocked ? [] : times);
          if (record.blocked) {
            assert.ok(
              record.retryAfterMs >= options.baseDelayMs &&
                record.retryAfterMs <= options.maxDelayMs,
            );
            blockedUntil.set(source, now + record.retryAfterMs);
          }
        }
      },
    ),
  );
});
