import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * What else the machine was doing during a run, from /proc: the load average, how many cores
 * were busy (everyone's work, this process included), the share the hypervisor gave to other
 * guests (steal), and how long this thread waited, runnable, for a core. On a shared 2-core
 * machine these say why the absolute figures of two runs differ.
 */
export interface LoadSample {
  /** The 1-minute load average. */
  loadAverage: number;
  /** Jiffies of the whole machine: busy (not idle, not iowait), steal (within busy), total. */
  busy: number;
  steal: number;
  total: number;
  /** This thread's time waiting on a run queue (schedstat run_delay), in ms. */
  waitedMs: number;
  at: number;
}

export interface MachineLoad {
  cores: number;
  loadAverage: { start: number; end: number };
  /** Cores busy on average, this process included (1.0 is this benchmark alone). */
  busyCores: number;
  /** Cores the hypervisor spent on other guests while ours wanted to run. */
  stealCores: number;
  /** Share of the run this thread spent waiting for a core. */
  waitedShare: number;
}

export function sampleLoad(): LoadSample {
  const [loadAverage = 'NaN'] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  // cpu user nice system idle iowait irq softirq steal guest guest_nice: guest time is already
  // counted in user and nice, so the first eight fields are the whole.
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const jiffies = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = jiffies.reduce((sum, value) => sum + value, 0);
  const idle = jiffies[3]! + jiffies[4]!;
  return {
    loadAverage: Number(loadAverage),
    busy: total - idle,
    steal: jiffies[7]!,
    total,
    waitedMs: readWaitedMs(),
    at: performance.now(),
  };
}

/** Run-queue wait of this thread so far, in ms; 0 where the kernel keeps no schedstat. */
export function readWaitedMs(): number {
  try {
    const [, runDelayNs = '0'] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return Number(runDelayNs) / 1e6;
  } catch {
    return 0;
  }
}

export function machineLoad(start: LoadSample, end: LoadSample): MachineLoad {
  const cores = availableParallelism();
  const total = Math.max(1, end.total - start.total);
  return {
    cores,
    loadAverage: { start: start.loadAverage, end: end.loadAverage },
    busyCores: ((end.busy - start.busy) / total) * cores,
    stealCores: ((end.steal - start.steal) / total) * cores,
    waitedShare: (end.waitedMs - start.waitedMs) / Math.max(1, end.at - start.at),
  };
}
