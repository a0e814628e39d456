import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProbeContext } from '../../src/signals/probes/probe-kind.ts';
import { nextSlot, phaseOf } from '../../src/signals/schedule.ts';
import { type ProbeOutcome, type ScheduledCheck, Scheduler } from '../../src/signals/scheduler.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

// These tests exercise scheduling itself, on a clock the test moves: the probes are plain
// functions that take a set time on that clock. The probe kinds are tested against real servers
// in test/probes, and the scheduler's lateness in real time by `npm run bench:probes`.

function check(key: string, probe: ScheduledCheck['probe'], periodMs = 50, timeoutMs = 1000) {
  return { key, revision: '1', periodMs, timeoutMs, initialDelayMs: 0, probe };
}

function scheduler(clock: FakeClock, maxInFlight = 100) {
  const outcomes: ProbeOutcome[] = [];
  const scheduler = new Scheduler({
    maxInFlight,
    maxOutputBytes: 1024,
    onOutcome: (outcome) => outcomes.push(outcome),
    clock,
  });
  return { scheduler, outcomes };
}

/** Stop the scheduler, moving the clock on so that probes in flight (and the deadline) can end. */
async function stop(s: Scheduler, clock: FakeClock, deadlineMs = 1000): Promise<void> {
  const stopping = s.stop(deadlineMs);
  await clock.advance(deadlineMs);
  await stopping;
}

/** A probe that takes `ms` on the clock, counting how many run at once. */
function taking(clock: FakeClock, ms: number) {
  const counts = { running: 0, maxRunning: 0, started: 0 };
  const probe = async () => {
    counts.started++;
    counts.running++;
    counts.maxRunning = Math.max(counts.maxRunning, counts.running);
    await clock.sleep(ms);
    counts.running--;
    return { ok: true };
  };
  return { probe, counts };
}

/** A probe that never answers until its signal aborts it. */
const hang = (ctx: ProbeContext) =>
  new Promise<{ ok: boolean; error: string }>((resolve) => {
    ctx.signal.addEventListener('abort', () =>
      resolve({ ok: false, error: String((ctx.signal.reason as Error).message) }),
    );
  });

test('start offsets spread evenly over the period and are stable', () => {
  const periodMs = 1000;
  const buckets = new Array(10).fill(0);
  for (let i = 0; i < 10_000; i++) buckets[Math.floor(phaseOf(`svc-${i}/http`, periodMs) / 100)]++;
  for (const count of buckets) assert.ok(count > 850 && count < 1150, `bucket of ${count}`);
  assert.equal(phaseOf('api/http', periodMs), phaseOf('api/http', periodMs));
});

test('each check runs once per period, at its own phase', async () => {
  const clock = new FakeClock(0);
  const { scheduler: s, outcomes } = scheduler(clock);
  const { probe } = taking(clock, 5);
  s.set([check('a/x', probe, 100), check('b/x', probe, 100)]);
  s.start();
  await clock.advance(1000);
  await stop(s, clock);
  for (const key of ['a/x', 'b/x']) {
    const starts = outcomes.filter((o) => o.key === key).map((o) => o.observation.startedAt);
    assert.equal(starts.length, 10, `${key} ran once per 100 ms`);
    assert.equal(starts[0], phaseOf(key, 100));
    assert.ok(starts.every((at, i) => at === starts[0]! + i * 100));
  }
  assert.ok(outcomes.every((o) => o.latenessMs === 0));
});

test('checks are placed on their beat at start, not when set() was called: no start burst', async () => {
  const clock = new FakeClock(0);
  const { scheduler: s, outcomes } = scheduler(clock, 1000);
  const { probe, counts } = taking(clock, 5);
  const checks = Array.from({ length: 200 }, (_, i) => check(`svc-${i}/http`, probe, 1000));
  s.set(checks);
  // A probe worker prepares its checks and compacts its heap between set() and start().
  await clock.advance(600);
  s.start();
  await clock.advance(1);
  // Only the checks whose phase falls in [600, 601] are due; the other 60 % of phases before 600
  // wait for their slot in the next period instead of all firing now.
  assert.ok(counts.started <= 5, `${counts.started} probes fired at start`);
  await clock.advance(1000);
  await stop(s, clock);
  for (const { key } of checks) {
    const first = outcomes.find((o) => o.key === key);
    assert.ok(first, `${key} ran`);
    // Within the scheduler's 1 ms batching slack of its slot.
    const slot = nextSlot(key, 1000, 600);
    assert.ok(first.observation.startedAt >= slot - 1 && first.observation.startedAt <= slot);
    assert.equal(first.latenessMs, 0);
  }
});

test('a check never overlaps itself; skipped slots are counted', async () => {
  const clock = new FakeClock(0);
  const { scheduler: s } = scheduler(clock);
  const { probe, counts } = taking(clock, 120);
  s.set([check('slow/a', probe, 30)]);
  s.start();
  await clock.advance(500);
  await stop(s, clock);
  assert.equal(counts.maxRunning, 1);
  const stats = s.stats();
  // A 120 ms probe every 30 ms: it starts about every 4th slot, and the slots between are skipped.
  assert.ok(counts.started >= 4 && counts.started <= 5, `started ${counts.started}`);
  assert.equal(stats.probes, counts.started);
  assert.ok(stats.overlapsSkipped >= 10, `skipped ${stats.overlapsSkipped}`);
});

test('probes in flight are bounded; due probes wait and their lateness says how long', async () => {
  const clock = new FakeClock(0);
  const { scheduler: s, outcomes } = scheduler(clock, 4);
  const { probe, counts } = taking(clock, 400);
  // 20 checks spread over 1 s, each probe 400 ms: about 8 would run at once without the bound.
  s.set(Array.from({ length: 20 }, (_, i) => check(`svc-${i}/c`, probe, 1000)));
  s.start();
  await clock.advance(2600);
  await stop(s, clock);
  assert.equal(counts.maxRunning, 4);
  assert.equal(new Set(outcomes.map((o) => o.key)).size, 20, 'every check ran despite the bound');
  const late = outcomes.filter((o) => o.latenessMs > 0);
  assert.ok(late.length > 0, 'some probes waited for a free slot');
  for (const outcome of late) {
    // Lateness is the wait: the probe started that long after its slot.
    const slot = outcome.observation.startedAt - outcome.latenessMs;
    assert.equal((slot - phaseOf(outcome.key, 1000)) % 1000, 0, `${outcome.key} slot ${slot}`);
  }
});

/** A clock whose timers fire `lag.ms` late, as on an event loop with more work than it serves. */
function laggingClock(clock: FakeClock, lag: { ms: number }) {
  return {
    now: () => clock.now(),
    setTimeout: (callback: () => void, ms: number) => clock.setTimeout(callback, ms + lag.ms),
    clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
  };
}

test('the in-flight bound drops while the event loop lags with the thread flat out, and grows back once it keeps up', async () => {
  const clock = new FakeClock(0);
  const lag = { ms: 0 };
  const outcomes: ProbeOutcome[] = [];
  const s = new Scheduler({
    maxInFlight: 400,
    maxOutputBytes: 1024,
    onOutcome: (outcome) => outcomes.push(outcome),
    clock: laggingClock(clock, lag),
    // The thread has the CPU all the time: its own work is what makes the loop late.
    threadCpuMs: () => clock.now(),
  });
  const { probe, counts } = taking(clock, 300);
  s.set(Array.from({ length: 400 }, (_, i) => check(`svc-${i}/http`, probe, 1000, 5000)));
  s.start();
  await clock.advance(1000);
  assert.equal(s.stats().inFlightLimit, 400, 'a loop that keeps up keeps the configured bound');
  lag.ms = 40;
  await clock.advance(3000);
  const lagging = s.stats();
  assert.ok(lagging.inFlightLimit < 100, `bound ${lagging.inFlightLimit} while lagging`);
  counts.maxRunning = 0;
  counts.running = 0;
  await clock.advance(2000);
  assert.ok(counts.maxRunning <= lagging.inFlightLimit, `${counts.maxRunning} ran at once`);
  assert.ok(s.stats().waiting > 0, 'the rest wait for a slot instead of being launched');
  lag.ms = 0;
  await clock.advance(5000);
  // 400 probes of 300 ms a second need 120 in flight: the bound grows until none waits.
  const recovered = s.stats();
  assert.ok(
    recovered.inFlightLimit >= 120,
    `bound ${recovered.inFlightLimit} once the loop keeps up`,
  );
  assert.equal(recovered.waiting, 0);
  const recent = outcomes.length;
  await clock.advance(1000);
  assert.ok(
    outcomes.slice(recent).every((o) => o.latenessMs === 0),
    'on time again',
  );
  await stop(s, clock, 6000);
  assert.ok(
    outcomes.every((o) => o.observation.ok),
    'a probe that waited is late, not failed',
  );
});

test('a loop that lags because the thread gets little CPU keeps its in-flight bound', async () => {
  const clock = new FakeClock(0);
  const lag = { ms: 40 };
  const s = new Scheduler({
    maxInFlight: 400,
    maxOutputBytes: 1024,
    onOutcome: () => {},
    clock: laggingClock(clock, lag),
    // Other processes have the cores: the thread runs a third of the time.
    threadCpuMs: () => clock.now() / 3,
  });
  const { probe, counts } = taking(clock, 300);
  s.set(Array.from({ length: 400 }, (_, i) => check(`svc-${i}/http`, probe, 1000, 5000)));
  s.start();
  await clock.advance(4000);
  // Fewer in flight would not give the thread more CPU, only cap how many probes it gets through.
  assert.equal(s.stats().inFlightLimit, 400);
  assert.ok(counts.maxRunning > 64, `${counts.maxRunning} ran at once`);
  await stop(s, clock, 6000);
});

test('a probe is aborted at its timeout and the observation says so', async () => {
  const clock = new FakeClock(0);
  const { scheduler: s, outcomes } = scheduler(clock);
  s.set([check('hang/a', hang, 1000, 80)]);
  s.start();
  await clock.advance(1150);
  await stop(s, clock);
  assert.equal(outcomes.length, 2);
  assert.equal(outcomes[0]?.observation.ok, false);
  assert.equal(outcomes[0]?.observation.error, 'timed out after 80 ms');
  assert.equal(outcomes[0]?.observation.durationMs, 80);
});

test('a probe that throws becomes a failed observation, and the scheduler carries on', async () => {
  const clock = new FakeClock(0);
  const { scheduler: s, outcomes } = scheduler(clock);
  s.set([
    check(
      'bug/a',
      () => {
        throw new Error('kaboom');
      },
      40,
    ),
  ]);
  s.start();
  await clock.advance(150);
  await stop(s, clock);
  assert.ok(outcomes.length >= 3, `${outcomes.length} outcomes`);
  assert.ok(outcomes.every((o) => o.observation.error === 'probe crashed: kaboom'));
});

test('stop waits for probes in flight, then aborts them at the deadline', async () => {
  const clock = new FakeClock(0);
  const { scheduler: s, outcomes } = scheduler(clock);
  const { probe } = taking(clock, 60);
  s.set([check('quick/a', probe, 1000, 5000), check('hang/b', hang, 1000, 60_000)]);
  s.start();
  await clock.advance(1000);
  // Both are in flight now: each check's phase is within the first second.
  const started = clock.now();
  let stoppedAt: number | undefined;
  const stopping = s.stop(200).then(() => {
    stoppedAt = clock.now();
  });
  await clock.advance(100);
  assert.equal(stoppedAt, undefined, 'the hanging probe holds stop until the deadline');
  await clock.advance(200);
  await stopping;
  assert.equal(stoppedAt! - started, 200);
  assert.deepEqual(outcomes.map((o) => [o.key, o.observation.error]).sort(), [
    ['hang/b', 'mend is stopping'],
    ['quick/a', undefined],
  ]);
});

test('set() keeps the beat of unchanged checks and drops removed ones', async () => {
  const clock = new FakeClock(0);
  const { scheduler: s, outcomes } = scheduler(clock);
  const { probe } = taking(clock, 1);
  const a = check('keep/a', probe, 50);
  s.set([a, check('drop/b', probe, 50)]);
  s.start();
  await clock.advance(200);
  const before = outcomes.filter((o) => o.key === 'keep/a').map((o) => o.observation.startedAt);
  s.set([a]);
  const at = outcomes.length;
  await clock.advance(200);
  await stop(s, clock);
  const after = outcomes.slice(at);
  assert.ok(after.length >= 3);
  assert.ok(after.every((o) => o.key === 'keep/a'));
  // Same beat: the starts after the reload continue the series before it.
  const last = before.at(-1)!;
  assert.ok(after.every((o) => (o.observation.startedAt - last) % 50 === 0));
  assert.equal(s.stats().checks, 1);
});

test('a probe that holds something is released when its check is removed, changed or stopped', async () => {
  const clock = new FakeClock();
  const { scheduler: s } = scheduler(clock);
  const released: string[] = [];
  const holding = (name: string) =>
    Object.assign(async () => ({ ok: true }), { release: () => released.push(name) });
  s.set([check('a', holding('a1')), check('b', holding('b1')), check('c', holding('c1'))]);
  s.start();
  // a unchanged (its new probe is dropped unused: it must hold nothing yet), b changed, c removed.
  s.set([check('a', holding('a2')), { ...check('b', holding('b2')), revision: '2' }]);
  assert.deepEqual(released.sort(), ['b1', 'c1']);
  await stop(s, clock);
  assert.deepEqual(released.sort(), ['a1', 'b1', 'b2', 'c1']);
});
