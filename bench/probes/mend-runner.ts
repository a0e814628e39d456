// The mend side of the probe benchmark: N services with one HTTP check each at the given period,
// loaded through the real config loader and probed by the same Prober, scheduler and worker
// threads that `mend run` uses. Speaks the runner protocol (runner-report.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMendConfig } from '../../src/documents.ts';
import { Prober } from '../../src/signals/prober.ts';
import { compactHeap } from '../../src/support/compact-heap.ts';
import { createLogger } from '../../src/support/log.ts';
import { createMetrics } from '../../src/support/metrics.ts';
import { LatenessRecorder } from './lateness.ts';
import { parseRunnerArgs, printReport, selfCpuMs, selfPeakRssBytes } from './runner-report.ts';

const options = parseRunnerArgs(process.argv.slice(2));
const dir = await mkdtemp(join(tmpdir(), 'mend-bench-'));
const file = join(dir, 'services.yaml');
const tls = options.insecure ? '\n        tls: { insecureSkipVerify: true }' : '';
const documents = Array.from(
  { length: options.checks },
  (_, i) => `apiVersion: mend/v1
kind: Service
metadata: { name: svc-${i} }
spec:
  checks:
    - name: http
      periodSeconds: ${options.periodSeconds}
      timeoutSeconds: 1
      http:
        url: ${options.url.href}${tls}
`,
);
await writeFile(file, documents.join('---\n'));
const loaded = await loadMendConfig([file]);
await rm(dir, { recursive: true, force: true });
if (!loaded.config) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));

compactHeap(); // as `mend run` does after loading its config
const periodMs = options.periodSeconds * 1000;
const durationMs = options.durationSeconds * 1000;
const lateness = new LatenessRecorder(Math.ceil((durationMs / periodMs + 2) * options.checks));
let probes = 0;
let failed = 0;
const log = createLogger({ level: 'warn', pretty: false });
const controller = new Prober({
  config: loaded.config,
  consumer: { consume: async () => {} },
  log,
  metrics: createMetrics(),
  // The same default as `mend run` (by the probe rate); BENCH_MEND_WORKERS overrides it to compare.
  options: { workers: workersOverride() },
  onFatal: (error) => {
    throw error;
  },
});
const startedAt = performance.timeOrigin + performance.now();
const failures = new Map<string, number>();
controller.onOutcomes((outcomes) => {
  for (const { observation, latenessMs } of outcomes) {
    if (observation.ok) probes++;
    else {
      failed++;
      const error = observation.error ?? 'failed';
      failures.set(error, (failures.get(error) ?? 0) + 1);
    }
    lateness.record(observation.startedAt - latenessMs - startedAt, latenessMs);
  }
});
controller.start();
const startupSeconds = performance.now() / 1000;
// CPU per probe after the warm-up, without start-up (config load, workers): what an A/B of the
// probe path compares. The orchestrator measures its own steady window from /proc.
let steadyFrom: { cpuMs: number; probes: number } | undefined;
setTimeout(() => {
  steadyFrom = { cpuMs: selfCpuMs(), probes };
}, options.warmupSeconds * 1000).unref();
await new Promise((resolve) => setTimeout(resolve, durationMs));
const steadyCpuMsPerProbe =
  steadyFrom && probes > steadyFrom.probes
    ? (selfCpuMs() - steadyFrom.cpuMs) / (probes - steadyFrom.probes)
    : undefined;
const stats = await controller.schedulerStats();
await controller.stop(2000);
process.stderr.write(
  `mend-runner: ${controller.workers} workers, scheduler ${JSON.stringify(stats)}\n`,
);
if (failures.size > 0) {
  const top = [...failures].sort((a, b) => b[1] - a[1]).slice(0, 5);
  process.stderr.write(`mend-runner: failures by error: ${JSON.stringify(top)}\n`);
}
printReport({
  probes,
  failed,
  cpuMs: Math.round(selfCpuMs()),
  peakRssBytes: selfPeakRssBytes(),
  latenessMs: lateness.summary(options.warmupSeconds * 1000),
  startupSeconds: Math.round(startupSeconds * 1000) / 1000,
  failuresByReason: Object.fromEntries([...failures].sort((a, b) => b[1] - a[1]).slice(0, 5)),
  steadyCpuMsPerProbe,
});

function workersOverride(): number | undefined {
  const value = process.env.BENCH_MEND_WORKERS;
  return value === undefined || value === '' ? undefined : Number(value);
}
