// Samples one measured process and the target side by side during a phase, and works out the
// steady-state CPU per probe: CPU the process used between the end of the warm-up and just before
// the end, divided by the responses the target sent in that same window. The target's count is
// the same for every contender, so no contender's own bookkeeping decides its figure.
import { cpus } from 'node:os';
import { readCpu, readListenDrops, readMachineCpu, readMemory } from './proc.ts';
import type { Target, TargetStats } from './target.ts';

export interface Sample {
  atMs: number;
  responses: number;
  /** CPU of the measured process so far (ms). */
  cpuMs: number;
  targetCpuMs: number;
  machineBusyMs: number;
  machineTotalMs: number;
  /** The kernel's machine-wide count of SYNs dropped at listeners (proc.ts readListenDrops). */
  listenDrops: number;
}

export interface Steady {
  fromSeconds: number;
  toSeconds: number;
  probes: number;
  probesPerSecond: number;
  cpuMs: number;
  cpuMsPerProbe: number;
}

export interface Measured {
  samples: Sample[];
  /** Largest VmHWM seen in the samples. */
  peakRssBytes: number;
  /** The target's totals: it is fresh for every phase, so they are the phase's. */
  end: TargetStats;
}

export class PhaseSampler {
  readonly #target: Target;
  readonly #pid: number;
  readonly #samples: Sample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #peakRssBytes = 0;
  #busy: Promise<void> = Promise.resolve();

  constructor(target: Target, pid: number, intervalMs = 500) {
    this.#target = target;
    this.#pid = pid;
    this.#busy = this.#sample();
    this.#timer = setInterval(() => {
      this.#busy = this.#busy.then(() => this.#sample());
    }, intervalMs);
  }

  async #sample(): Promise<void> {
    const stats = await this.#target.stats();
    const cpu = readCpu(this.#pid);
    const memory = readMemory(this.#pid);
    if (cpu === undefined) return;
    if (memory !== undefined)
      this.#peakRssBytes = Math.max(this.#peakRssBytes, memory.peakRssBytes);
    const machine = readMachineCpu();
    this.#samples.push({
      atMs: performance.now(),
      responses: stats.responses,
      cpuMs: cpu.selfMs,
      targetCpuMs: this.#target.cpuMs(),
      machineBusyMs: machine.busyMs,
      listenDrops: readListenDrops().drops,
      machineTotalMs: machine.totalMs,
    });
  }

  /** Takes one more sample now (while the process still lives). */
  sampleNow(): Promise<void> {
    this.#busy = this.#busy.then(() => this.#sample());
    return this.#busy;
  }

  async stop(): Promise<Measured> {
    clearInterval(this.#timer);
    await this.#busy;
    return {
      samples: this.#samples,
      peakRssBytes: this.#peakRssBytes,
      end: await this.#target.stats(),
    };
  }
}

/**
 * The steady window: from `warmupSeconds` after the target first saw traffic to one second
 * before the schedule ends. Undefined when the run is too short to have one.
 */
export function steadyWindow(
  samples: Sample[],
  warmupSeconds: number,
  durationSeconds: number,
): Steady | undefined {
  const first = samples.find((sample) => sample.responses > (samples[0]?.responses ?? 0));
  if (first === undefined) return undefined;
  // Traffic began up to one sampling interval before `first`.
  const fromMs = first.atMs + warmupSeconds * 1000;
  const toMs = first.atMs + (durationSeconds - 1) * 1000;
  const start = samples.find((sample) => sample.atMs >= fromMs);
  const end = samples.findLast((sample) => sample.atMs <= toMs);
  if (start === undefined || end === undefined || end.atMs - start.atMs < 1000) return undefined;
  const probes = end.responses - start.responses;
  const cpuMs = end.cpuMs - start.cpuMs;
  return {
    fromSeconds: round((start.atMs - first.atMs) / 1000),
    toSeconds: round((end.atMs - first.atMs) / 1000),
    probes,
    probesPerSecond: round((probes * 1000) / (end.atMs - start.atMs)),
    cpuMs: round(cpuMs),
    cpuMsPerProbe: probes > 0 ? round(cpuMs / probes, 4) : Number.NaN,
  };
}

/** Cores the target and the whole machine kept busy between the first and last sample. */
export function loadOf(samples: Sample[]): {
  targetCores: number;
  machineBusyCores: number;
  listenDrops: number;
} {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined || last.atMs <= first.atMs) {
    return { targetCores: Number.NaN, machineBusyCores: Number.NaN, listenDrops: 0 };
  }
  const wallMs = last.atMs - first.atMs;
  const machineShare =
    (last.machineBusyMs - first.machineBusyMs) / (last.machineTotalMs - first.machineTotalMs);
  return {
    targetCores: round((last.targetCpuMs - first.targetCpuMs) / wallMs),
    machineBusyCores: round(machineShare * cpus().length),
    listenDrops: last.listenDrops - first.listenDrops,
  };
}

export const round = (value: number, digits = 2): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};
