// Reads CPU time and memory of a process from /proc, the one measure applied to every contender
// (mend, blackbox_exporter, the bare loop) so their figures compare.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;

/** Kernel clock ticks per second (`getconf CLK_TCK`), the unit of utime/stime in /proc. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface CpuTimes {
  /** utime + stime of all threads of the process, in ms. */
  selfMs: number;
  /** cutime + cstime: children already reaped by the process, in ms. */
  childrenMs: number;
}

/** CPU times of `pid`, or undefined once it is gone. */
export function readCpu(pid: number | 'self'): CpuTimes | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
  const tick = 1000 / clockTicksPerSecond();
  const at = (field: number): number => Number(fields[field - 3]) * tick;
  return { selfMs: at(14) + at(15), childrenMs: at(16) + at(17) };
}

export interface Memory {
  /** VmHWM: peak resident set size. */
  peakRssBytes: number;
  /** VmRSS: current resident set size. */
  rssBytes: number;
}

/** Memory of `pid` from /proc/PID/status, or undefined once it is gone. */
export function readMemory(pid: number | 'self'): Memory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : 0;
  };
  return { peakRssBytes: kib('VmHWM'), rssBytes: kib('VmRSS') };
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
export function readMachineCpu(): { busyMs: number; totalMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  // idle and iowait are fields 4 and 5 of the cpu line.
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const tick = 1000 / clockTicksPerSecond();
  return { busyMs: (total - idle) * tick, totalMs: total * tick };
}

/**
 * The kernel's counts of connections refused at a listening socket (TcpExt ListenOverflows: the
 * accept queue was full; ListenDrops: every SYN dropped at a listener), machine-wide. During a
 * phase the target is the only busy listener, so a rise is a target that could not accept as
 * fast as it was asked to.
 */
export function readListenDrops(): { overflows: number; drops: number } {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const names = lines[i]?.split(/\s+/) ?? [];
    const values = lines[i + 1]?.split(/\s+/) ?? [];
    if (names[0] !== 'TcpExt:' || values[0] !== 'TcpExt:') continue;
    const at = (name: string): number => Number(values[names.indexOf(name)] ?? 0) || 0;
    return { overflows: at('ListenOverflows'), drops: at('ListenDrops') };
  }
  return { overflows: 0, drops: 0 };
}
