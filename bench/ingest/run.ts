// `npm run bench:ingest`: Alertmanager webhook deliveries per second that a real `mend run`
// accepts and durably records, for one client with 1 alert per payload, 16 clients with 1, and
// 16 clients with 50; each next to the raw rate of the same durable inserts (store.recordAlerts
// on a SQLite store in the same folder, same concurrency and batch) measured in the same run.
// See bench/README.md.
//
//   node bench/ingest/run.ts [--duration 10] [--only 1x1,16x1,16x50] [--out FILE]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { openStore } from '../../src/store/open.ts';
import { payload, records } from './payload.ts';

const GOALS = { ratio: 0.5, singlePayloadsPerSecond: 5_000, batchedAlertsPerSecond: 50_000 };

const { values } = parseArgs({
  strict: true,
  options: {
    duration: { type: 'string', default: '10' },
    only: { type: 'string', default: '1x1,16x1,16x50' },
    out: { type: 'string' },
    profile: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'npm run bench:ingest -- [--duration S] [--only 1x1,16x1,16x50] [--out FILE]\n',
  );
  process.exit(0);
}
const durationMs = Number(values.duration) * 1000;
const shapes = values.only.split(',').map((text) => {
  const [clients, alerts] = text.split('x').map(Number);
  if (!clients || !alerts)
    throw new Error(`--only: expected CLIENTSxALERTS such as 16x50, not ${text}`);
  return { clients, alerts };
});

const MEND = fileURLToPath(new URL('../../bin/mend.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mend-bench-ingest-'));

interface Rate {
  payloadsPerSecond: number;
  alertsPerSecond: number;
  payloads: number;
  refused: number;
}

/** `clients` loops, each sending its next payload once the last is answered. */
async function drive(
  clients: number,
  send: () => Promise<boolean>,
): Promise<Rate & { ms: number }> {
  const started = performance.now();
  const until = started + durationMs;
  let payloads = 0;
  let refused = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        if (await send()) payloads++;
        else refused++;
      }
    }),
  );
  const ms = performance.now() - started;
  return { payloadsPerSecond: (payloads * 1000) / ms, alertsPerSecond: 0, payloads, refused, ms };
}

async function rawRate(clients: number, alerts: number): Promise<Rate> {
  const path = join(dir, `raw-${clients}x${alerts}.db`);
  const store = await openStore({ path });
  try {
    const rate = await drive(clients, async () => {
      await store.recordAlerts(records(alerts, Date.now()));
      return true;
    });
    return { ...rate, alertsPerSecond: rate.payloadsPerSecond * alerts };
  } finally {
    await store.close();
  }
}

const CONFIG = `apiVersion: mend/v1
kind: Service
metadata: { name: checkout }
spec:
  selector: ['job="checkout"']
`;

async function startMend(
  db: string,
): Promise<{ child: ChildProcess; base: string; token: string }> {
  const config = join(dir, 'mend.yaml');
  writeFileSync(config, CONFIG);
  // --profile DIR: a CPU profile of mend per shape, to see where a delivery's time goes.
  const profile =
    values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values.profile}`];
  const child = spawn(
    process.execPath,
    [...profile, MEND, 'run', '-c', config, '--db', db, '--listen', '127.0.0.1:0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, CI: 'true' },
    },
  );
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const port = /listen:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      if (port !== undefined) resolve(`http://127.0.0.1:${port}`);
    });
    child.once('exit', (code) => reject(new Error(`mend exited ${code}:\n${out}`)));
  });
  const created = spawn(
    process.execPath,
    [MEND, 'token', 'create', 'bench', '--role', 'ingest', '--db', db],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let token = '';
  created.stdout?.on('data', (chunk: Buffer) => {
    token += chunk.toString();
  });
  await new Promise((resolve) => created.once('exit', resolve));
  return { child, base, token: token.trim() };
}

async function ingestRate(clients: number, alerts: number): Promise<Rate & { recorded: number }> {
  const db = join(dir, `mend-${clients}x${alerts}.db`);
  const mend = await startMend(db);
  const pool = new Pool(mend.base, { connections: clients, pipelining: 1 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${mend.token}` };
  let accepted = 0;
  try {
    // Bodies made before the clock starts: the figure is mend's, not the client's JSON.
    const ready: string[] = [];
    const make = () => ready.pop() ?? payload(alerts);
    for (let i = 0; i < clients * 4; i++) ready.push(payload(alerts));
    const rate = await drive(clients, async () => {
      const body = make();
      const answer = await pool.request({
        method: 'POST',
        path: '/api/v1/alerts/alertmanager',
        headers,
        body,
      });
      const text = await answer.body.text();
      if (answer.statusCode === 200) {
        accepted += alerts;
        return true;
      }
      if (answer.statusCode !== 503) throw new Error(`HTTP ${answer.statusCode}: ${text}`);
      return false;
    });
    await pool.close();
    await stop(mend.child);
    // Every acknowledged alert must be in the store, once mend is gone.
    const database = new DatabaseSync(db, { readOnly: true });
    const { n } = database.prepare('select count(*) as n from alerts').get() as { n: number };
    database.close();
    if (n !== accepted) throw new Error(`${accepted} alerts acknowledged, ${n} recorded`);
    return { ...rate, alertsPerSecond: rate.payloadsPerSecond * alerts, recorded: n };
  } catch (err) {
    await pool.close().catch(() => {});
    await stop(mend.child);
    throw err;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Row {
  shape: string;
  clients: number;
  alerts: number;
  ingest: Rate;
  raw: Rate;
  ratio: number;
}

const rows: Row[] = [];
try {
  for (const { clients, alerts } of shapes) {
    const raw = await rawRate(clients, alerts);
    const ingest = await ingestRate(clients, alerts);
    const row = {
      shape: `${clients}x${alerts}`,
      clients,
      alerts,
      ingest,
      raw,
      ratio: ingest.alertsPerSecond / raw.alertsPerSecond,
    };
    rows.push(row);
    process.stdout.write(`${line(row)}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function line({ clients, alerts, ingest, raw, ratio }: Row): string {
  return (
    `${String(clients).padStart(2)} client(s) x ${String(alerts).padStart(2)} alert(s)/payload: ` +
    `ingest ${Math.round(ingest.payloadsPerSecond)} payloads/s = ${Math.round(ingest.alertsPerSecond)} alerts/s ` +
    `(${ingest.payloads} acknowledged and found in the store, ${ingest.refused} refused with 503); ` +
    `raw store inserts ${Math.round(raw.alertsPerSecond)} alerts/s; ratio ${ratio.toFixed(2)}`
  );
}

const goals: { name: string; verdict: 'PASS' | 'FAIL' | 'SKIP'; detail: string }[] = [];
for (const row of rows) {
  goals.push({
    name: `ingest >= ${GOALS.ratio}x raw inserts (${row.shape})`,
    verdict: row.ratio >= GOALS.ratio ? 'PASS' : 'FAIL',
    detail: `${row.ratio.toFixed(2)}x`,
  });
}
const single = rows.filter((row) => row.alerts === 1);
const best = (list: Row[], key: 'payloadsPerSecond' | 'alertsPerSecond') =>
  list.reduce<Row | undefined>(
    (a, b) => (a === undefined || b.ingest[key] > a.ingest[key] ? b : a),
    undefined,
  );
const bestSingle = best(single, 'payloadsPerSecond');
goals.push({
  name: `>= ${GOALS.singlePayloadsPerSecond} single-alert payloads/s`,
  verdict:
    bestSingle === undefined
      ? 'SKIP'
      : bestSingle.ingest.payloadsPerSecond >= GOALS.singlePayloadsPerSecond
        ? 'PASS'
        : 'FAIL',
  detail:
    bestSingle === undefined
      ? 'no 1-alert shape run'
      : `${Math.round(bestSingle.ingest.payloadsPerSecond)} (${bestSingle.shape})`,
});
const bestBatch = best(
  rows.filter((row) => row.alerts > 1),
  'alertsPerSecond',
);
goals.push({
  name: `>= ${GOALS.batchedAlertsPerSecond} alerts/s batched`,
  verdict:
    bestBatch === undefined
      ? 'SKIP'
      : bestBatch.ingest.alertsPerSecond >= GOALS.batchedAlertsPerSecond
        ? 'PASS'
        : 'FAIL',
  detail:
    bestBatch === undefined
      ? 'no batched shape run'
      : `${Math.round(bestBatch.ingest.alertsPerSecond)} (${bestBatch.shape})`,
});
process.stdout.write('\ngoals:\n');
for (const goal of goals) process.stdout.write(`  ${goal.verdict}  ${goal.name}: ${goal.detail}\n`);

const out =
  values.out ??
  join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    'results',
    `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
  );
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
        memoryBytes: totalmem(),
        kernel: release(),
        node: process.version,
      },
      durationSeconds: durationMs / 1000,
      rows,
      goals,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`\nresults: ${out}\n`);
