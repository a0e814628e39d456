// The baseline: the least a Node process can do per probe. At the scheduled time it opens a fresh
// connection, writes a minimal GET, reads until the server closes and checks for a 200. No HTTP
// client, no parsing beyond the status line, no timings, no storage.
//
//   node bench/probes/bare-loop.ts --checks N --period 1 --duration S --url URL [--insecure]
//
// Prints the runner report (runner-report.ts) as one JSON line.
import net from 'node:net';
import tls from 'node:tls';
import { LatenessRecorder } from './lateness.ts';
import { parseRunnerArgs, printReport, selfCpuMs, selfPeakRssBytes } from './runner-report.ts';
import { runSchedule } from './schedule.ts';

// As mend's checks in the benchmark (timeoutSeconds: 1), so both fail the same slow answers.
const TIMEOUT_MS = 1000;
const OK = Buffer.from('HTTP/1.1 200');

const options = parseRunnerArgs(process.argv.slice(2));
const host = options.url.hostname;
const https = options.url.protocol === 'https:';
const port = Number(options.url.port) || (https ? 443 : 80);
const request = Buffer.from(
  `GET ${options.url.pathname} HTTP/1.1\r\nHost: ${options.url.host}\r\nConnection: close\r\n\r\n`,
);

let probes = 0;
let failed = 0;
let inFlight = 0;
let drained: (() => void) | undefined;
/** Why probes failed, so the report can say whether the target or this loop gave out. */
const failures: Record<string, number> = {};

function probe(): void {
  inFlight++;
  const socket = https
    ? tls.connect({ host, port, rejectUnauthorized: !options.insecure })
    : net.connect({ host, port });
  let head: Buffer | undefined;
  let settled = false;
  const settle = (ok: boolean, reason = 'not a 200'): void => {
    if (settled) return;
    settled = true;
    if (ok) probes++;
    else {
      failed++;
      failures[reason] = (failures[reason] ?? 0) + 1;
    }
    inFlight--;
    if (inFlight === 0) drained?.();
  };
  socket.setTimeout(TIMEOUT_MS, () => {
    settle(false, `timed out after ${TIMEOUT_MS} ms`);
    socket.destroy();
  });
  socket.on(https ? 'secureConnect' : 'connect', () => socket.write(request));
  socket.on('data', (chunk: Buffer) => {
    head ??= chunk;
  });
  socket.on('end', () => {
    settle(head?.subarray(0, OK.length).equals(OK) === true);
    socket.destroy();
  });
  socket.on('error', (error: NodeJS.ErrnoException) => settle(false, error.code ?? error.message));
  socket.on('close', () => settle(false, 'closed before the response ended'));
}

const periodMs = options.periodSeconds * 1000;
const durationMs = options.durationSeconds * 1000;
const lateness = new LatenessRecorder(Math.ceil((durationMs / periodMs) * options.checks) + 1);
const startupSeconds = performance.now() / 1000;

await runSchedule({
  checks: options.checks,
  periodMs,
  durationMs,
  fire: (_check, scheduledMs, nowMs) => {
    lateness.record(scheduledMs, nowMs - scheduledMs);
    probe();
  },
});
if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));

printReport({
  probes,
  failed,
  cpuMs: Math.round(selfCpuMs()),
  peakRssBytes: selfPeakRssBytes(),
  latenessMs: lateness.summary(options.warmupSeconds * 1000),
  startupSeconds: Math.round(startupSeconds * 1000) / 1000,
  failuresByReason: failures,
});
