import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedAt, isStale } from '../../src/store/alert-rows.ts';

test('an alert changes at its start while firing, at its end once resolved', () => {
  assert.equal(changedAt({ status: 'firing', startsAt: 10, endsAt: 99 }), 10);
  assert.equal(changedAt({ status: 'resolved', startsAt: 10, endsAt: 50 }), 50);
  // An end before the start (a clock that jumped) is no later than the start.
  assert.equal(changedAt({ status: 'resolved', startsAt: 10, endsAt: 5 }), 10);
});

test('deliveries of one alert: older ones are stale, re-sends are not, resolved wins a tie', () => {
  const resolvedAt50 = { status: 'resolved' as const, changedAt: 50 };
  const firingAt10 = { status: 'firing' as const, changedAt: 10 };
  assert.equal(isStale(resolvedAt50, { status: 'firing', startsAt: 10 }), true, 'late firing');
  assert.equal(isStale(resolvedAt50, { status: 'firing', startsAt: 60 }), false, 'fires again');
  assert.equal(isStale(firingAt10, { status: 'firing', startsAt: 10 }), false, 're-send');
  assert.equal(isStale(firingAt10, { status: 'resolved', startsAt: 10, endsAt: 40 }), false);
  assert.equal(isStale(resolvedAt50, { status: 'resolved', startsAt: 10, endsAt: 50 }), false);
  assert.equal(
    isStale({ status: 'resolved', changedAt: 10 }, { status: 'firing', startsAt: 10 }),
    true,
  );
});
