import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceConfig } from '../../src/config/config.ts';
import { PROBES_PER_WORKER, workersFor } from '../../src/signals/prober-options.ts';

// workersFor reads only each check's period.
function services(count: number, periodSeconds: number): ServiceConfig[] {
  return Array.from(
    { length: count },
    (_, i) => ({ name: `s${i}`, checks: [{ periodSeconds }] }) as unknown as ServiceConfig,
  );
}

test('one probe worker per PROBES_PER_WORKER probes a second, at least one, at most one per core', () => {
  assert.equal(PROBES_PER_WORKER, 5000);
  assert.equal(workersFor([], 2), 1, 'no checks: still one, for checks a reload adds');
  assert.equal(workersFor(services(1000, 1), 2), 1);
  assert.equal(workersFor(services(5000, 1), 2), 1, 'one worker keeps 5,000 a second');
  assert.equal(workersFor(services(5001, 1), 2), 2);
  assert.equal(workersFor(services(10_000, 1), 2), 2);
  assert.equal(workersFor(services(10_000, 10), 2), 1, 'the rate counts, not the checks');
  assert.equal(workersFor(services(2500, 0.25), 8), 2, 'a period under a second asks more');
  assert.equal(workersFor(services(100_000, 1), 2), 2, 'never more than the cores');
  assert.equal(workersFor(services(10_000, 1), 1), 1);
});
