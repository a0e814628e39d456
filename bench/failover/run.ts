/**
 * `npm run chaos:failover`: three real `mend run --replica` processes on a PostgreSQL database
 * of their own; the leader SIGKILLed at a random moment inside a runbook, again and again; then
 * signals recorded per second on PostgreSQL next to SQLite. See bench/README.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  clusterConfig,
  createTestDatabase,
  type FailoverRun,
  failoverRun,
  ReplicaCluster,
  startCountingTarget,
} from '../../test/helpers/replica-cluster.ts';
import { type SignalRate, signalRate } from './signals.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    lease: { type: 'string', default: '10' },
    services: { type: 'string', default: '4' },
    'kill-within': { type: 'string', default: '2500' },
    signals: { type: 'string', default: '2000' },
  },
});
const runs = Number(values.runs);
const leaseSeconds = Number(values.lease);
const services = Number(values.services);
const killWithinMs = Number(values['kill-within']);
const DECIDE_WITHIN_MS = 15_000;

const db = await createTestDatabase();
const target = await startCountingTarget();
const cluster = await ReplicaCluster.create(
  db.url,
  clusterConfig(target.url, { services, leaseSeconds, periodSeconds: 0.5 }),
);
const results: FailoverRun[] = [];
let failed = false;
try {
  for (let i = 0; i < 3; i++) cluster.start();
  await cluster.waitForMembers(3, leaseSeconds * 1000, 30_000);
  console.log(
    `${runs} runs, 3 replicas, lease ${leaseSeconds} s, SIGKILL of the leader within ${killWithinMs} ms of a heal's dispatch\n`,
  );
  console.log('run  heal              killed after  takeover  next decision  outcome    restarts');
  for (let i = 0; i < runs; i++) {
    const run = await failoverRun(cluster, target, `svc-${i % services}`, {
      killWithinMs,
      timeoutMs: leaseSeconds * 1000 + 30_000,
    });
    results.push(run);
    console.log(
      `${String(i + 1).padStart(3)}  ${run.runId.padEnd(16)}  ${ms(run.killAfterMs).padStart(12)}  ${ms(run.takeoverMs).padStart(8)}  ${ms(run.decisionMs).padStart(13)}  ${run.outcome.padEnd(9)}  ${run.restarts}`,
    );
    if (run.restarts > 1 || run.decisionMs > DECIDE_WITHIN_MS) failed = true;
  }
  for (const [run, n] of target.restarts) {
    if (n > 1) {
      console.log(`FAIL: ${run} restarted ${n} times`);
      failed = true;
    }
  }
} finally {
  await cluster.stop();
  await target.close();
  await db.drop();
}

const summary = (name: string, list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `${name}: median ${ms(median)}, max ${ms(sorted.at(-1) ?? 0)}`;
};
console.log(
  `\n${summary(
    'takeover (SIGKILL to the new lease)',
    results.map((r) => r.takeoverMs),
  )}`,
);
console.log(
  summary(
    'failover (SIGKILL to the next decision)',
    results.map((r) => r.decisionMs),
  ),
);
const outcomes = new Map<string, number>();
for (const r of results) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
console.log(
  `heals: ${[...outcomes].map(([k, v]) => `${v} ${k}`).join(', ')}; restarts seen by the target per heal: at most ${Math.max(0, ...target.restarts.values())}`,
);

console.log(
  '\nsignals recorded per second (decision loop, one at a time, no policy; median of 3 rounds):',
);
const count = Number(values.signals);
const dir = await mkdtemp(join(tmpdir(), 'mend-signal-rate-'));
const stores = [
  { name: 'SQLite', fenced: false, sqlite: true },
  { name: 'PostgreSQL', fenced: false, sqlite: false },
  { name: 'PostgreSQL, fenced (replica leader)', fenced: true, sqlite: false },
];
const rates = new Map<string, SignalRate[]>();
try {
  // Interleaved rounds, each on a fresh store: the machine's other load falls on all alike.
  for (let round = 0; round < 3; round++) {
    for (const kind of stores) {
      const pgDb = kind.sqlite ? undefined : await createTestDatabase();
      try {
        const rate = await signalRate({
          name: kind.name,
          path: pgDb?.url ?? join(dir, `rate-${round}.db`),
          services: 100,
          count,
          fenced: kind.fenced,
        });
        rates.set(kind.name, [...(rates.get(kind.name) ?? []), rate]);
      } finally {
        await pgDb?.drop();
      }
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
for (const [name, list] of rates) {
  const sorted = list.map((r) => r.perSecond).sort((a, b) => a - b);
  console.log(
    `  ${name.padEnd(36)} ${sorted[1]!.toFixed(0).padStart(6)} signals/s (rounds: ${sorted.map((r) => r.toFixed(0)).join(', ')}; ${count} signals each)`,
  );
}
if (failed) {
  console.log('\nFAIL: a restart ran twice, or a new leader took longer than 15 s to decide');
  process.exitCode = 1;
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(2)} s`;
}
