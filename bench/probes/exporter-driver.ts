// Drives blackbox_exporter the way Prometheus would, at the same rate mend is asked to probe:
// one /probe request per scheduled probe, over keep-alive connections to the exporter, with at
// most --concurrency in flight (the rest wait, and their wait shows as lateness). Runs as its own
// process so its CPU is not counted against the exporter.
//
//   node bench/probes/exporter-driver.ts --checks N --period 1 --duration S --url TARGET
//     --exporter http://127.0.0.1:PORT --module http_2xx [--concurrency C]
//
// Prints `{"event":"start"}` when the first probe is due, then one JSON report line. Probes
// still waiting for a free slot when the time is up are dropped and reported as `skipped`.
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { LatenessRecorder, percentiles } from './lateness.ts';
import { selfCpuMs, selfPeakRssBytes } from './runner-report.ts';
import { runSchedule } from './schedule.ts';

const { values } = parseArgs({
  strict: true,
  options: {
    checks: { type: 'string' },
    period: { type: 'string', default: '1' },
    duration: { type: 'string', default: '20' },
    url: { type: 'string' },
    exporter: { type: 'string' },
    module: { type: 'string', default: 'http_2xx' },
    concurrency: { type: 'string', default: '256' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP_SECONDS ?? '5' },
  },
});
if (values.url === undefined || values.exporter === undefined || values.checks === undefined) {
  throw new Error('--checks, --url and --exporter are required');
}
const checks = Number(values.checks);
const periodMs = Number(values.period) * 1000;
const durationMs = Number(values.duration) * 1000;
const concurrency = Number(values.concurrency);
const path = `/probe?module=${encodeURIComponent(values.module)}&target=${encodeURIComponent(values.url)}`;
const pool = new Pool(values.exporter, { connections: concurrency, pipelining: 1 });

const capacity = Math.ceil((durationMs / periodMs) * checks) + 1;
const lateness = new LatenessRecorder(capacity);
const roundTrips = new Float64Array(capacity);
let roundTripCount = 0;
let probes = 0;
let failed = 0;
let inFlight = 0;
// Probes due while `concurrency` are in flight wait here, oldest first.
const waiting: number[] = [];
let waitingHead = 0;
let drained: (() => void) | undefined;
let scheduleStartedAt = 0;

async function probe(scheduledMs: number): Promise<void> {
  inFlight++;
  const sentAt = performance.now();
  lateness.record(scheduledMs, sentAt - scheduleStartedAt - scheduledMs);
  try {
    const response = await pool.request({
      path,
      method: 'GET',
      // As Prometheus sends it; the exporter caps the probe's timeout with it.
      headers: { 'x-prometheus-scrape-timeout-seconds': '5' },
    });
    const text = await response.body.text();
    if (response.statusCode === 200 && text.includes('\nprobe_success 1')) probes++;
    else failed++;
  } catch {
    failed++;
  }
  if (roundTripCount < capacity) roundTrips[roundTripCount++] = performance.now() - sentAt;
  inFlight--;
  const next = waiting[waitingHead];
  if (next !== undefined) {
    waitingHead++;
    void probe(next);
  } else if (inFlight === 0) drained?.();
}

const startupSeconds = performance.now() / 1000;
process.stdout.write(`${JSON.stringify({ event: 'start' })}\n`);
scheduleStartedAt = performance.now();
await runSchedule({
  checks,
  periodMs,
  durationMs,
  startedAt: scheduleStartedAt,
  fire: (_check, scheduledMs) => {
    if (inFlight < concurrency) void probe(scheduledMs);
    else waiting.push(scheduledMs);
  },
});
// Probes still waiting when the time is up are dropped, not sent late: the achieved rate is
// then what the exporter managed within the run.
const skipped = waiting.length - waitingHead;
waiting.length = 0;
waitingHead = 0;
if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
await pool.close();

process.stdout.write(
  `${JSON.stringify({
    probes,
    failed,
    skipped,
    driverCpuMs: Math.round(selfCpuMs()),
    driverPeakRssBytes: selfPeakRssBytes(),
    latenessMs: lateness.summary(Number(values.warmup) * 1000),
    roundTripMs: percentiles(roundTrips.subarray(0, roundTripCount)),
    startupSeconds: Math.round(startupSeconds * 1000) / 1000,
  })}\n`,
);
