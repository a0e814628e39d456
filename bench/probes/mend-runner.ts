// PLACEHOLDER: replaced by the lead
// Stands in for the runner that drives mend's scheduler, so the harness can run end to end. It
// speaks the runner protocol (runner-report.ts) with a naive loop: node:http(s) with a fresh
// connection per probe. Its figures say nothing about mend.
import http from 'node:http';
import https from 'node:https';
import { LatenessRecorder } from './lateness.ts';
import { parseRunnerArgs, printReport, selfCpuMs, selfPeakRssBytes } from './runner-report.ts';
import { runSchedule } from './schedule.ts';

const options = parseRunnerArgs(process.argv.slice(2));
const client = options.url.protocol === 'https:' ? https : http;
let probes = 0;
let failed = 0;
let inFlight = 0;
let drained: (() => void) | undefined;
function probeOnce(): (ok: boolean) => void {
  let settled = false;
  return (ok) => {
    if (settled) return;
    settled = true;
    if (ok) probes++;
    else failed++;
    if (--inFlight === 0) drained?.();
  };
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
    inFlight++;
    const settle = probeOnce();
    const request = client.get(
      options.url,
      { agent: false, rejectUnauthorized: !options.insecure, timeout: 5000 },
      (response) => {
        response.resume();
        response.on('end', () => settle(response.statusCode === 200));
        response.on('error', () => settle(false));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => settle(false));
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
});
