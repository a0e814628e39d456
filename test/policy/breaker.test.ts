import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  admission,
  breakerAt,
  closedBreaker,
  healEnded,
  healStarted,
  isBlank,
} from '../../src/policy/breaker.ts';
import type { BreakerState } from '../../src/policy/state.ts';

/**
 * The breaker machine on its own, step by step. Every state is frozen: the machine answers and
 * returns new states, so changing one in place would throw here.
 */
const LIMITS = { maxAttempts: 2, windowMs: 60_000 };
const freeze = (breaker: BreakerState): BreakerState =>
  Object.freeze({ ...breaker, attempts: Object.freeze([...breaker.attempts]) as number[] });

test('closed admits heals within the budget; the one past it trips the breaker open for a window', () => {
  let breaker = freeze(closedBreaker());
  assert.deepEqual(admission(breaker, LIMITS, 0), { admit: true });
  breaker = freeze(healStarted(breaker, 'inc-1:heal:1', 0));
  breaker = freeze(healStarted(breaker, 'inc-1:heal:2', 10_000));
  assert.deepEqual(breaker, {
    state: 'closed',
    attempts: [0, 10_000],
    openUntil: null,
    trial: null,
  });
  const answer = admission(breaker, LIMITS, 20_000);
  assert.deepEqual(answer, {
    admit: false,
    why: 'trips',
    next: { state: 'open', attempts: [0, 10_000], openUntil: 80_000, trial: null },
  });
});

test('time forgets old attempts and half-opens an open breaker; otherwise it is the same object', () => {
  const closed = freeze({ ...closedBreaker(), attempts: [0, 30_000] });
  assert.equal(breakerAt(closed, 59_999, LIMITS.windowMs), closed);
  assert.deepEqual(breakerAt(closed, 60_000, LIMITS.windowMs).attempts, [30_000]);
  const open = freeze({ state: 'open', attempts: [0, 10_000], openUntil: 80_000, trial: null });
  assert.equal(breakerAt(open, 79_999, 200_000), open);
  assert.deepEqual(admission(open, LIMITS, 79_999), { admit: false, why: 'open' });
  assert.deepEqual(breakerAt(open, 80_000, LIMITS.windowMs), {
    state: 'half-open',
    attempts: [],
    openUntil: null,
    trial: null,
  });
  assert.deepEqual(breakerAt(undefined, 5, LIMITS.windowMs), closedBreaker());
});

test('half-open admits one trial; its verified success closes the breaker, its failure reopens it', () => {
  const halfOpen = freeze({ state: 'half-open', attempts: [], openUntil: null, trial: null });
  assert.deepEqual(admission(halfOpen, LIMITS, 0), { admit: true });
  const trying = freeze(healStarted(halfOpen, 'inc-1:heal:3', 100_000));
  assert.equal(trying.trial, 'inc-1:heal:3');
  assert.deepEqual(admission(trying, LIMITS, 100_001), { admit: false, why: 'trial-in-flight' });
  assert.equal(healEnded(trying, 'inc-2:heal:1', true, 110_000, LIMITS.windowMs), trying);
  assert.deepEqual(healEnded(trying, 'inc-1:heal:3', true, 110_000, LIMITS.windowMs), {
    state: 'closed',
    attempts: [100_000],
    openUntil: null,
    trial: null,
  });
  assert.deepEqual(healEnded(trying, 'inc-1:heal:3', false, 110_000, LIMITS.windowMs), {
    state: 'open',
    attempts: [100_000],
    openUntil: 170_000,
    trial: null,
  });
});

test('only a closed breaker with no attempts and no trial is blank (dropped from the state)', () => {
  assert.equal(isBlank(closedBreaker()), true);
  assert.equal(isBlank({ ...closedBreaker(), attempts: [1] }), false);
  assert.equal(isBlank({ ...closedBreaker(), state: 'half-open' }), false);
  assert.equal(isBlank({ ...closedBreaker(), trial: 'inc-1:heal:1' }), false);
});
