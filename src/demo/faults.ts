import type { Supervisor } from './supervisor.ts';

/** One fault of the demo's schedule: what happens, and what a person would see mend do. */
export interface Fault {
  atSeconds: number;
  describe: string;
  inject(): Promise<void>;
  /** Taken away again after this long, if mend cannot (a flapping service needs a human). */
  clear?: { afterSeconds: number; describe: string; run(): Promise<void> };
}

async function control(port: number, action: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/control/${action}`, { method: 'POST' });
  await res.body?.cancel();
}

/**
 * The demo's schedule, one of each failure mend handles: a crash and a hang (healed by a
 * restart, verified by the check that fired), a dependency outage (heal the root, hold the
 * dependents), and a flapping service (the breaker opens, one page goes out, a human fixes it).
 */
export function demoFaults(supervisor: Supervisor, ports: Record<string, number>): Fault[] {
  return [
    {
      atSeconds: 12,
      describe: 'api crashes (SIGKILL)',
      inject: async () => supervisor.crash('api'),
    },
    {
      atSeconds: 35,
      describe: 'worker hangs: it accepts connections and never answers',
      inject: () => control(ports.worker!, 'hang'),
    },
    {
      atSeconds: 60,
      describe: 'db stops serving (api and worker depend on it)',
      inject: () => control(ports.db!, 'fail'),
    },
    {
      atSeconds: 90,
      describe: 'worker starts flapping: it dies 3 s after every start',
      inject: async () => {
        supervisor.setFlapping('worker', 3);
        supervisor.crash('worker');
      },
      clear: {
        afterSeconds: 50,
        describe: 'a human fixes the worker and starts it',
        run: async () => {
          supervisor.setFlapping('worker', undefined);
          await supervisor.restart('worker');
        },
      },
    },
  ];
}

/** The schedule's length: after it, the demo repeats it. */
export const FAULT_CYCLE_SECONDS = 170;

/** Run the faults on their schedule, again every cycle, until the returned function is called. */
export function scheduleFaults(
  faults: Fault[],
  say: (line: string) => void,
  cycleSeconds = FAULT_CYCLE_SECONDS,
): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const later = (seconds: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, seconds * 1000);
    timers.add(timer);
  };
  const cycle = () => {
    for (const fault of faults) {
      later(fault.atSeconds, () => {
        say(`FAULT: ${fault.describe}`);
        fault.inject().catch((err) => say(`fault injection failed: ${(err as Error).message}`));
        const { clear } = fault;
        if (clear) {
          later(clear.afterSeconds, () => {
            say(`FIX: ${clear.describe}`);
            clear.run().catch((err) => say(`fix failed: ${(err as Error).message}`));
          });
        }
      });
    }
    later(cycleSeconds, cycle);
  };
  cycle();
  return () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}
