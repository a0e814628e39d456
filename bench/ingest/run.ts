// `npm run bench:ingest`: Alertmanager webhook deliveries per second that a real `mend run`
// accepts and durably records, for one client with 1 alert per payload, 16 and 64 clients with 1,
// and 16 and 64 clients with 50; each next to the raw rate of the same durable inserts (store.recordAlerts
// on a store of the same kind, same concurrency and batch) measured in the same run. The store is
// SQLite in a temporary folder, or with `--store postgres://...` PostgreSQL (a schema of its own
// per run, dropped at the end). See bench/README.md.
//
//   node bench/ingest/run.ts [--duration 10] [--only 1x1,16x1,64x1,16x50,64x50] [--store sqlite|URL] [--out FILE]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Pool } from 'undici';
import { decodeJsonTraces } from '../../src/signals/sources/otlp-traces.ts';
import { TraceWindows } from '../../src/signals/sources/trace-windows.ts';
import { openStore } from '../../src/store/open.ts';
import { isPostgresUrl } from '../../src/store/postgres-url.ts';
import { payload, records } from './payload.ts';

const GOALS = { ratio: 0.5, singlePayloadsPerSecond: 5_000, batchedAlertsPerSecond: 50_000 };

const { values } = parseArgs({
  strict: true,
  options: {
    duration: { type: 'string', default: '10' },
    only: { type: 'string', default: '1x1,16x1,64x1,16x50,64x50' },
    spans: { type: 'string', default: '16x100' },
    store: { type: 'string', default: 'sqlite' },
    out: { type: 'string' },
    profile: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'npm run bench:ingest -- [--duration S] [--only 1x1,16x1,64x1,16x50,64x50] [--spans 16x100|none] [--store sqlite|postgres://...] [--out FILE]\n',
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

const postgres = values.store === 'sqlite' ? undefined : values.store;
if (postgres !== undefined && !isPostgresUrl(postgres))
  throw new Error(`--store: expected sqlite or a postgres:// URL, not ${values.store}`);
const schemas: string[] = [];

/** A store for one run: a file in the folder, or a fresh schema of the PostgreSQL database. */
async function freshStore(name: string): Promise<string> {
  if (postgres === undefined) return join(dir, `${name}.db`);
  const schema = `mend_bench_${name.replace(/\W/g, '_')}_${process.pid}`;
  await adminQuery(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  schemas.push(schema);
  const url = new URL(postgres);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function adminQuery(statement: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: postgres, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const result = await client.query(statement);
    const last = Array.isArray(result) ? result.at(-1) : result;
    return last?.rows ?? [];
  } finally {
    await client.end();
  }
}

/** How many alerts the store at `db` holds, read after mend has stopped. */
async function alertsIn(db: string): Promise<number> {
  if (postgres === undefined) {
    const database = new DatabaseSync(db, { readOnly: true });
    const { n } = database.prepare('select count(*) as n from alerts').get() as { n: number };
    database.close();
    return n;
  }
  const schema = new URL(db).searchParams.get('options')?.split('=')[1];
  const [row] = await adminQuery(`select count(*)::int as n from ${schema}.alerts`);
  return Number(row?.n);
}

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
  const path = await freshStore(`raw-${clients}x${alerts}`);
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
  const db = await freshStore(`mend-${clients}x${alerts}`);
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
    const n = await alertsIn(db);
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

/** An OTLP/HTTP JSON export of `count` server spans of one service, as an SDK sends it. */
function spanExport(count: number): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: (i + 1).toString(16).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: 'POST /pay',
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 12_000_000n),
    attributes: [
      { key: 'http.response.status_code', value: { intValue: i % 20 === 0 ? 502 : 200 } },
    ],
    status: i % 20 === 0 ? { code: 2, message: 'refused' } : {},
  }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      },
    ],
  });
}

interface SpanRow {
  clients: number;
  spans: number;
  ingestSpansPerSecond: number;
  rawSpansPerSecond: number;
  ratio: number;
}

let spanRow: SpanRow | undefined;
if (values.spans !== 'none') {
  const [clients, spans] = values.spans.split('x').map(Number);
  if (!clients || !spans)
    throw new Error(`--spans: expected CLIENTSxSPANS such as 16x100, not ${values.spans}`);
  const body = spanExport(spans);
  // The same exports decoded and reduced in this process: what the receiver adds is HTTP and auth.
  const windows = new TraceWindows();
  const raw = await drive(clients, async () => {
    const decoded = decodeJsonTraces(Buffer.from(body));
    if (!decoded.ok) throw new Error(decoded.error);
    windows.add(decoded.spans, Date.now());
    await new Promise((resolve) => setImmediate(resolve));
    return true;
  });
  // The alert runs removed their folder: mend's config and store go to it again.
  mkdirSync(dir, { recursive: true });
  const mend = await startMend(await freshStore('spans'));
  const pool = new Pool(mend.base, { connections: clients, pipelining: 1 });
  try {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${mend.token}` };
    const ingest = await drive(clients, async () => {
      const answer = await pool.request({ method: 'POST', path: '/v1/traces', headers, body });
      const text = await answer.body.text();
      if (answer.statusCode !== 200) throw new Error(`HTTP ${answer.statusCode}: ${text}`);
      return true;
    });
    spanRow = {
      clients,
      spans,
      ingestSpansPerSecond: ingest.payloadsPerSecond * spans,
      rawSpansPerSecond: raw.payloadsPerSecond * spans,
      ratio: ingest.payloadsPerSecond / raw.payloadsPerSecond,
    };
    process.stdout.write(
      `${String(clients).padStart(2)} client(s) x ${spans} span(s)/export (OTLP JSON): ingest ${Math.round(spanRow.ingestSpansPerSecond)} spans/s; ` +
        `the same decode and reduce in-process ${Math.round(spanRow.rawSpansPerSecond)} spans/s; ratio ${spanRow.ratio.toFixed(2)}\n`,
    );
  } finally {
    await pool.close().catch(() => {});
    await stop(mend.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const schema of schemas) await adminQuery(`drop schema if exists ${schema} cascade`);

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
process.stdout.write(`\ngoals (store: ${postgres === undefined ? 'SQLite' : 'PostgreSQL'}):\n`);
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
      store: postgres === undefined ? 'sqlite' : 'postgres',
      durationSeconds: durationMs / 1000,
      rows,
      spans: spanRow,
      goals,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`\nresults: ${out}\n`);
