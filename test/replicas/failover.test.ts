import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runMend } from '../helpers/mend-process.ts';
import {
  type CountingTarget,
  clusterConfig,
  createTestDatabase,
  failoverRun,
  ReplicaCluster,
  sleep,
  startCountingTarget,
  until,
} from '../helpers/replica-cluster.ts';

/**
 * Three real `mend run --replica` processes on one PostgreSQL database of their own, and a
 * loopback target that counts what reaches it: every probe per service, every restart per heal.
 * A short lease (3 s) keeps the file quick; `npm run chaos:failover` runs more SIGKILLs with the
 * default lease and measures (bench/failover/README.md).
 */
const LEASE_S = 3;
const LEASE_MS = LEASE_S * 1000;
const PERIOD_S = 0.5;

async function cluster(services: number, settleMs?: number) {
  const db = await createTestDatabase();
  const target = await startCountingTarget();
  const replicas = await ReplicaCluster.create(
    db.url,
    clusterConfig(target.url, {
      services,
      leaseSeconds: LEASE_S,
      periodSeconds: PERIOD_S,
      ...(settleMs !== undefined ? { settleMs } : {}),
    }),
  );
  return {
    target,
    replicas,
    async stop() {
      await replicas.stop();
      await target.close();
      await db.drop();
    },
  };
}

/** Probes per service between two moments, from the target's own record. */
function probedBetween(target: CountingTarget, from: number, to: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [service, times] of target.probeTimes) {
    counts.set(service, times.filter((t) => t >= from && t < to).length);
  }
  return counts;
}

test('sharding: with 3 replicas each check is probed by exactly one; a killed one’s checks are probed again within a lease and a period', async () => {
  const { target, replicas, stop } = await cluster(12);
  try {
    for (let i = 0; i < 3; i++) replicas.start();
    await replicas.waitForMembers(3, LEASE_MS, 20_000);
    // Settled: every replica has seen the three (a tick), and probes at its beat.
    await sleep(1500);
    const from = Date.now();
    await sleep(4000);
    const counts = probedBetween(target, from, Date.now());
    // One prober per check at 0.5 s: 8 probes in 4 s (a beat either side); two would be ~16.
    for (let i = 0; i < 12; i++) {
      const n = counts.get(`svc-${i}`) ?? 0;
      assert.ok(
        n >= 6 && n <= 10,
        `svc-${i} probed ${n} times in 4 s: exactly one prober at 0.5 s`,
      );
    }
    const status = await (await replicas.store()).replicas().listReplicas();
    const shares = status.replicas.map((r) => r.checks);
    assert.equal(
      shares.reduce((a, b) => a + b, 0),
      13,
      `the shares add up to every check: ${shares}`,
    );

    // Kill a replica that owns checks (not the leader: that is the next tests'), and see its
    // checks probed again by the others.
    const leader = await replicas.waitForLeader(10_000);
    const victim = replicas.running().find((m) => m !== leader.mend)!;
    const before = Date.now();
    await sleep(1000);
    const last = probedBetween(target, before, Date.now());
    victim.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    await sleep(LEASE_MS + PERIOD_S * 1000 + 1500);
    const afterKill = probedBetween(target, killedAt + LEASE_MS + 1500, Date.now());
    for (let i = 0; i < 12; i++) {
      assert.ok((last.get(`svc-${i}`) ?? 0) > 0, `svc-${i} was probed before the kill`);
      assert.ok(
        (afterKill.get(`svc-${i}`) ?? 0) > 0,
        `svc-${i} probed again within the lease (${LEASE_S} s) + a tick + a period after the kill`,
      );
    }
    // And still by one: two replicas now, each check at its beat once.
    const from2 = Date.now();
    await sleep(3000);
    for (const [service, n] of probedBetween(target, from2, Date.now())) {
      assert.ok(n >= 4 && n <= 8, `${service} probed ${n} times in 3 s by the two left`);
    }
  } finally {
    await stop();
  }
});

test('mend status and GET /api/v1/status (viewer): the replicas, the leader and its epoch, each one’s share and heartbeat lag', async () => {
  const { replicas, stop } = await cluster(6);
  try {
    for (let i = 0; i < 3; i++) replicas.start();
    await replicas.waitForMembers(3, LEASE_MS, 20_000);
    const leader = await replicas.waitForLeader(10_000);
    await sleep(1000);
    const shown = await runMend(['status', '--db', replicas.db, '-c', replicas.config, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const status = JSON.parse(shown.stdout);
    assert.equal(status.mode, 'replicas');
    assert.equal(status.leaseMs, LEASE_MS);
    assert.equal(status.leader.id, leader.id);
    assert.equal(status.leader.epoch, leader.epoch);
    assert.equal(status.replicas.length, 3);
    assert.equal(status.replicas.filter((r: { leader: boolean }) => r.leader).length, 1);
    assert.equal(
      status.replicas.reduce((n: number, r: { checks: number }) => n + r.checks, 0),
      7,
      'the shares cover the six services and the canary',
    );
    for (const replica of status.replicas) {
      assert.ok(replica.live && replica.heartbeatLagMs < LEASE_MS, JSON.stringify(replica));
      assert.match(replica.address, /^http:\/\/127\.0\.0\.1:\d+$/);
    }
    const text = await runMend(['status', '--db', replicas.db, '--lease', `${LEASE_S}s`]);
    assert.match(text.stdout, new RegExp(`^leader ${leader.id}, epoch ${leader.epoch} `));
    assert.match(text.stdout, /3 of 3 replica\(s\) live/);
    assert.match(text.stdout, /REPLICA +ROLE +CHECKS +HEARTBEAT LAG/);

    // Any replica answers it, a follower too, from the store.
    const token = await runMend([
      'token',
      'create',
      'grafana',
      '--role',
      'viewer',
      '--db',
      replicas.db,
    ]);
    assert.equal(token.code, 0, token.stderr);
    const follower = status.replicas.find((r: { leader: boolean }) => !r.leader);
    const answer = await fetch(`${follower.address}/api/v1/status`, {
      headers: { authorization: `Bearer ${token.stdout.trim()}` },
    });
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as { leader: { id: string }; pid: number };
    assert.equal(body.leader.id, leader.id);
    assert.equal(body.pid, follower.pid);
    assert.equal((await fetch(`${follower.address}/api/v1/status`)).status, 401);
  } finally {
    await stop();
  }
});

describe('failover', () => {
  let c: Awaited<ReturnType<typeof cluster>>;
  before(async () => {
    c = await cluster(4);
    for (let i = 0; i < 3; i++) c.replicas.start();
    await c.replicas.waitForMembers(3, LEASE_MS, 20_000);
  });
  after(() => c.stop());

  test('SIGKILL of the leader at random moments inside runbooks: each heal ends on the new leader, its restart reached the target at most once, a new leader decides within 15 s', async () => {
    const runs = [];
    for (let i = 0; i < 4; i++) {
      runs.push(
        await failoverRun(c.replicas, c.target, `svc-${i % 4}`, {
          killWithinMs: 2500,
          timeoutMs: 30_000,
        }),
      );
    }
    for (const run of runs) {
      assert.ok(run.restarts <= 1, `${run.runId}: the target saw ${run.restarts} restarts`);
      assert.ok(run.decisionMs < 15_000, `${run.runId}: next decision ${run.decisionMs} ms after`);
      assert.ok(['succeeded', 'unknown'].includes(run.outcome), `${run.runId}: ${run.outcome}`);
    }
    // Over every heal the cluster ran, each one's non-idempotent step at most once.
    for (const [run, n] of c.target.restarts) assert.ok(n <= 1, `${run} restarted ${n} times`);
  });

  test('SIGSTOP the leader past its lease: another takes over; SIGCONT: the old one’s writes are refused by epoch and it steps down, nothing runs twice', async () => {
    const store = await c.replicas.store();
    const leader = await c.replicas.waitForLeader(10_000);
    const old = leader.mend!;
    c.target.setHealthy('svc-3', false);
    const heal = await until(20_000, 'a heal dispatched', async () =>
      (await store.listCommands({ status: 'dispatched' })).find((x) => x.service === 'svc-3'),
    );
    // Paused inside the runbook (its prepare step takes a second).
    await sleep(300);
    old.kill('SIGSTOP');
    const next = await c.replicas.waitForLeader(LEASE_MS + 10_000, leader.id);
    assert.equal(next.epoch, leader.epoch + 1, 'the takeover moved the epoch on by one');
    await until(20_000, 'the heal settled on the new leader', async () =>
      (await store.listCommands({ incidentId: heal.incidentId! })).find(
        (x) => x.id === heal.id && (x.status === 'succeeded' || x.status === 'unknown'),
      ),
    );
    old.kill('SIGCONT');
    // It wakes: its renewal is refused (the lease is at a newer epoch), or a write is; either
    // way it stops deciding and exits for a supervisor to restart it as a follower.
    const code = await Promise.race([old.exited, sleep(15_000).then(() => 'still running')]);
    assert.notEqual(code, 'still running', old.stdout.slice(-3000));
    assert.ok(
      old.countLogs(/lost the leader lease|another replica took the leader lease/) > 0,
      old.stdout.slice(-3000),
    );
    // Its writes after waking are refused: under the epoch it held, or, once it knows it lost
    // the lease, under none.
    const refused = old.logs().filter((line) => /^\S.* refused: /.test(line.msg));
    for (const line of refused) {
      assert.match(
        line.msg,
        new RegExp(
          `refused: (it carries leader epoch ${leader.epoch}|this replica does not lead \\(it follows, or it stepped down\\)), and the lease is at epoch ${next.epoch} \\(held by ${next.id}\\)`,
        ),
      );
    }
    assert.ok((c.target.restarts.get(heal.id) ?? 0) <= 1, 'the restart ran at most once');
    assert.equal(old.countLogs(/^second SIGTERM/), 0, 'it stops once, cleanly, however it learnt');
    c.replicas.start();
    await c.replicas.waitForMembers(3, LEASE_MS, 20_000);
  });

  test('SIGTERM of the leader hands over at once: it lets go of the lease', async () => {
    const leader = await c.replicas.waitForLeader(10_000);
    const stoppedAt = Date.now();
    leader.mend!.kill('SIGTERM');
    const next = await c.replicas.waitForLeader(LEASE_MS, leader.id);
    const tookMs = Date.now() - stoppedAt;
    assert.ok(tookMs < LEASE_MS, `a new leader ${tookMs} ms after SIGTERM, not a lease later`);
    assert.equal(next.epoch, leader.epoch + 1);
    assert.equal(await leader.mend!.exited, 0, leader.mend!.stderr);
  });
});
