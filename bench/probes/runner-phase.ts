// One phase with a process that speaks the runner protocol (runner-report.ts): mend-runner.ts or
// bare-loop.ts. It is started directly with this Node binary (not through npx, whose npm process
// would sit between us and it) so /proc/PID is the prober itself.
import { z } from 'zod';
import { startChild, stopChild } from './children.ts';
import { PhaseSampler, round } from './measure.ts';
import { type PhaseResult, phaseResult, reportedLateness } from './phase-result.ts';
import { readCpu } from './proc.ts';
import type { Target } from './target.ts';

// Loose: a runner may add fields of its own; they are kept in `reported`.
const runnerReport = z.looseObject({
  probes: z.number(),
  failed: z.number(),
  cpuMs: z.number(),
  peakRssBytes: z.number(),
  latenessMs: reportedLateness,
  startupSeconds: z.number(),
});

export interface RunnerPhaseOptions {
  name: 'mend' | 'bare';
  script: string;
  target: Target;
  checks: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Extra flags for the runner (mend-runner takes exactly the protocol's flags). */
  extraArgs?: string[];
  /** Flags for Node itself, before the script. */
  nodeArgs?: readonly string[];
  /** Extra environment for the runner. */
  env?: NodeJS.ProcessEnv;
}

export async function runRunnerPhase(options: RunnerPhaseOptions): Promise<PhaseResult> {
  const { target, checks, durationSeconds, warmupSeconds } = options;
  const https = target.url.startsWith('https:');
  const args = [
    ...(options.nodeArgs ?? []),
    options.script,
    '--checks',
    String(checks),
    '--period',
    '1',
  ];
  args.push('--duration', String(durationSeconds), '--url', target.url);
  if (https) args.push('--insecure');
  args.push(...(options.extraArgs ?? []));
  // Only one child of ours ends during the phase (this one), so the growth of our cutime+cstime
  // across it is exactly its lifetime CPU, all threads, read by the kernel after it is reaped.
  const reapedBefore = readCpu('self')?.childrenMs ?? 0;
  const child = startChild(process.execPath, args, {
    env: { ...process.env, ...options.env, BENCH_WARMUP_SECONDS: String(warmupSeconds) },
  });
  const sampler = new PhaseSampler(target, child.pid);
  const warnings: string[] = [];
  let line: string;
  try {
    line = await child.nextLine(undefined, (durationSeconds + 120) * 1000);
  } catch (error) {
    await sampler.stop();
    await stopChild(child);
    throw error;
  }
  await sampler.sampleNow();
  const code = await Promise.race([
    child.exited,
    new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 10_000)),
  ]);
  if (code === 'still running') {
    warnings.push(`${options.name} did not exit within 10 s of its report; killed`);
    await stopChild(child);
  } else if (code !== 0) {
    warnings.push(`${options.name} exited with ${code}`);
  }
  const measured = await sampler.stop();
  const lifetimeCpuMs = (readCpu('self')?.childrenMs ?? 0) - reapedBefore;
  const report = runnerReport.parse(JSON.parse(line));
  const lastSampleCpuMs = measured.samples.at(-1)?.cpuMs ?? 0;
  // If the kernel's figure is missing (the child was not reaped by us), fall back to the last
  // /proc sample, which misses only the final moments.
  const cpuMs = lifetimeCpuMs > 0 ? lifetimeCpuMs : lastSampleCpuMs;
  if (Math.abs(cpuMs - report.cpuMs) > Math.max(50, 0.1 * cpuMs)) {
    warnings.push(
      `${options.name} reported ${report.cpuMs} CPU-ms; /proc says ${round(cpuMs)} (using /proc)`,
    );
  }
  return phaseResult({
    name: options.name,
    https,
    checks,
    durationSeconds,
    warmupSeconds,
    probes: report.probes,
    failed: report.failed,
    cpuMs,
    peakRssBytes: report.peakRssBytes,
    latenessMs: report.latenessMs,
    startupSeconds: report.startupSeconds,
    reported: report,
    measured,
    warnings,
  });
}
