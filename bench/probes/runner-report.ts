// The protocol between the orchestrator and a probing process (mend-runner, bare-loop): the
// command-line flags it takes and the ONE JSON line it prints on stdout when done.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LatenessSummary } from './lateness.ts';

export interface RunnerOptions {
  checks: number;
  periodSeconds: number;
  durationSeconds: number;
  url: URL;
  /** Accept the target's self-signed certificate. */
  insecure: boolean;
  /** Probes scheduled before this offset are left out of the steady-state lateness. */
  warmupSeconds: number;
}

export interface RunnerReport {
  probes: number;
  failed: number;
  /** Whole process, all threads, whole run (process.cpuUsage()). */
  cpuMs: number;
  peakRssBytes: number;
  latenessMs: LatenessSummary;
  /** Seconds from process start to the first probe. */
  startupSeconds: number;
  /** Failed probes by what went wrong (an error code, a timeout...). */
  failuresByReason?: Record<string, number>;
  /** CPU-ms per probe after the warm-up (start-up left out), when the runner measures it. */
  steadyCpuMsPerProbe?: number | undefined;
}

/** `--checks N --period S --duration S --url URL [--insecure] [--warmup S]` */
export function parseRunnerArgs(argv: string[]): RunnerOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      checks: { type: 'string' },
      period: { type: 'string', default: '1' },
      duration: { type: 'string', default: '20' },
      url: { type: 'string' },
      insecure: { type: 'boolean', default: false },
      // The orchestrator sets BENCH_WARMUP_SECONDS for every runner it starts.
      warmup: { type: 'string', default: process.env.BENCH_WARMUP_SECONDS ?? '5' },
    },
  });
  const positive = (name: string, text: string | undefined): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`--${name} must be a positive number`);
    return value;
  };
  if (values.url === undefined) throw new Error('--url is required');
  return {
    checks: Math.floor(positive('checks', values.checks)),
    periodSeconds: positive('period', values.period),
    durationSeconds: positive('duration', values.duration),
    url: new URL(values.url),
    insecure: values.insecure,
    warmupSeconds: Number(values.warmup),
  };
}

/** Peak RSS of this process (VmHWM), which process.memoryUsage() does not give. */
export function selfPeakRssBytes(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Whole-process CPU (user + system, all threads) since start, in ms. */
export function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export function printReport(report: RunnerReport): void {
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
