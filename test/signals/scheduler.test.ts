import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeContext } from '../../src/signals/probes/probe-kind.ts';
import { phaseOf } from '../../src/signals/schedule.ts';
import { type ProbeOutcome, type ScheduledCheck, Scheduler } from '../../src/signals/scheduler.ts';

// These tests exercise scheduling itself, so the probes are plain functions with controlled
// durations; the probe kinds are tested against real servers in test/probes.

function check(key: string, probe: ScheduledCheck['probe'], periodMs = 50, timeoutMs = 1000) {
  return { key, revision: '1', periodMs, timeoutMs, initialDelayMs: 0, probe };
}

const waitFor = (ms: number) => async () => {
  await sleep(ms);
  return { ok: true };
};

test('start offsets spread evenly over the period and are stable', () => {
  const periodMs = 1000;
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 10_000; i++) buckets[Math.floor(phaseOf(`svc-${i}/http`, periodMs) / 100)]++;
  for (const count of buckets) assert.ok(count > 850 && count < 1150, `bucket of ${count}`);
  assert.equal(phaseOf('api/http', periodMs), phaseOf('api/http', periodMs));
});

test('a check never overlaps itself; skipped slots are counted', async () => {
  let running = 0;
  let maxRunning = 0;
  const scheduler = new Scheduler({
    maxInFlight: 100,
    maxOutputBytes: 1024,
    onOutcome: () => {},
  });
  scheduler.set([
    check(
      'slow/a',
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(120);
        running--;
        return { ok: true };
      },
      30,
    ),
  ]);
  scheduler.start();
  await sleep(500);
  await scheduler.stop(1000);
  assert.equal(maxRunning, 1);
  const stats = scheduler.stats();
  assert.ok(stats.overlapsSkipped >= 5, `skipped ${stats.overlapsSkipped}`);
  assert.ok(stats.probes >= 3 && stats.probes <= 5, `probes ${stats.probes}`);
});

test('probes in flight are bounded; due probes wait and their lateness says so', async () => {
  let running = 0;
  let maxRunning = 0;
  const outcomes: ProbeOutcome[] = [];
  const scheduler = new Scheduler({
    maxInFlight: 4,
    maxOutputBytes: 1024,
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  const probe = async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await sleep(400);
    running--;
    return { ok: true };
  };
  // 20 checks spread over 1 s, each probe 400 ms: about 8 would run at once without the bound.
  scheduler.set(Array.from({ length: 20 }, (_, i) => check(`svc-${i}/c`, probe, 1000)));
  scheduler.start();
  await sleep(2600);
  await scheduler.stop(1000);
  assert.equal(maxRunning, 4);
  const keys = new Set(outcomes.map((o) => o.key));
  assert.equal(keys.size, 20, 'every check ran despite the bound');
  assert.ok(
    outcomes.some((o) => o.latenessMs >= 100),
    'some probes waited for a free slot and report it',
  );
});

test('lateness stays small when the prober is not loaded', async () => {
  const outcomes: ProbeOutcome[] = [];
  const scheduler = new Scheduler({
    maxInFlight: 100,
    maxOutputBytes: 1024,
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  scheduler.set(Array.from({ length: 50 }, (_, i) => check(`svc-${i}/c`, waitFor(1), 100)));
  scheduler.start();
  await sleep(600);
  await scheduler.stop(1000);
  assert.ok(outcomes.length >= 200, `${outcomes.length} outcomes`);
  const sorted = outcomes.map((o) => o.latenessMs).sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length / 2)]!;
  assert.ok(p50 < 10, `p50 lateness ${p50} ms`);
});

test('a probe is aborted at its timeout and the observation says so', async () => {
  const outcomes: ProbeOutcome[] = [];
  const scheduler = new Scheduler({
    maxInFlight: 10,
    maxOutputBytes: 1024,
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  const hang = (ctx: ProbeContext) =>
    new Promise<{ ok: boolean; error: string }>((resolve) => {
      ctx.signal.addEventListener('abort', () =>
        resolve({ ok: false, error: String((ctx.signal.reason as Error).message) }),
      );
    });
  scheduler.set([check('hang/a', hang, 1000, 80)]);
  scheduler.start();
  await sleep(1150);
  await scheduler.stop(1000);
  assert.ok(outcomes.length >= 1);
  assert.equal(outcomes[0]?.observation.ok, false);
  assert.equal(outcomes[0]?.observation.error, 'timed out after 80 ms');
  assert.ok(outcomes[0]!.observation.durationMs >= 75 && outcomes[0]!.observation.durationMs < 500);
});

test('a probe that throws becomes a failed observation, and the scheduler carries on', async () => {
  const outcomes: ProbeOutcome[] = [];
  const scheduler = new Scheduler({
    maxInFlight: 10,
    maxOutputBytes: 1024,
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  scheduler.set([
    check(
      'bug/a',
      () => {
        throw new Error('kaboom');
      },
      40,
    ),
  ]);
  scheduler.start();
  await sleep(150);
  await scheduler.stop(1000);
  assert.ok(outcomes.length >= 2);
  assert.equal(outcomes[0]?.observation.error, 'probe crashed: kaboom');
});

test('stop waits for probes in flight, then aborts them at the deadline', async () => {
  const outcomes: ProbeOutcome[] = [];
  const scheduler = new Scheduler({
    maxInFlight: 10,
    maxOutputBytes: 1024,
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  const hang = (ctx: ProbeContext) =>
    new Promise<{ ok: boolean; error: string }>((resolve) => {
      ctx.signal.addEventListener('abort', () =>
        resolve({ ok: false, error: (ctx.signal.reason as Error).message }),
      );
    });
  scheduler.set([check('quick/a', waitFor(60), 1000, 5000), check('hang/b', hang, 1000, 60_000)]);
  scheduler.start();
  await sleep(1010);
  const before = Date.now();
  await scheduler.stop(200);
  const took = Date.now() - before;
  assert.ok(took >= 150 && took < 1000, `stop took ${took} ms`);
  assert.deepEqual(outcomes.map((o) => [o.key, o.observation.error]).sort(), [
    ['hang/b', 'mend is stopping'],
    ['quick/a', undefined],
  ]);
});

test('set() keeps the beat of unchanged checks and drops removed ones', async () => {
  const outcomes: ProbeOutcome[] = [];
  const scheduler = new Scheduler({
    maxInFlight: 10,
    maxOutputBytes: 1024,
    onOutcome: (outcome) => outcomes.push(outcome),
  });
  const a = check('keep/a', waitFor(1), 50);
  scheduler.set([a, check('drop/b', waitFor(1), 50)]);
  scheduler.start();
  await sleep(200);
  scheduler.set([a]);
  const at = outcomes.length;
  await sleep(200);
  await scheduler.stop(1000);
  const after = outcomes.slice(at + 2); // one probe of b may have been in flight
  assert.ok(after.length >= 2);
  assert.ok(after.every((o) => o.key === 'keep/a'));
  assert.equal(scheduler.stats().checks, 1);
});
