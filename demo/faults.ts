import type { Supervisor } from './supervisor.ts';

export interface Fault {
  /** Seconds after the demo starts, then again every `everySeconds`. */
  atSeconds: number;
  everySeconds: number;
  describe: string;
  inject(): Promise<void>;
  /** Seconds later, the fault is taken away (until runbooks heal things themselves). */
  clearAfterSeconds: number;
  clear(): Promise<void>;
}

async function control(port: number, action: string): Promise<void> {
  await fetch(`http://127.0.0.1:${port}/control/${action}`, { method: 'POST' }).then((r) =>
    r.body?.cancel(),
  );
}

/** The demo's schedule: a dependency outage and a crash, each taken away again after a while. */
export function demoFaults(supervisor: Supervisor, ports: Record<string, number>): Fault[] {
  return [
    {
      atSeconds: 15,
      everySeconds: 60,
      describe: 'db starts failing (api and worker depend on it)',
      inject: () => control(ports.db!, 'fail'),
      clearAfterSeconds: 15,
      clear: () => control(ports.db!, 'recover'),
    },
    {
      atSeconds: 45,
      everySeconds: 60,
      describe: 'worker crashes',
      inject: () => control(ports.worker!, 'crash'),
      clearAfterSeconds: 10,
      clear: () => supervisor.start('worker'),
    },
  ];
}

/** Run faults on their schedule until stopped. Returns a function that stops the schedule. */
export function scheduleFaults(faults: Fault[], say: (line: string) => void): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const later = (seconds: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, seconds * 1000);
    timers.add(timer);
  };
  for (const fault of faults) {
    const fire = () => {
      say(`fault: ${fault.describe}`);
      fault.inject().catch((err) => say(`fault injection failed: ${(err as Error).message}`));
      later(fault.clearAfterSeconds, () => {
        say(`fault cleared: ${fault.describe}`);
        fault.clear().catch((err) => say(`fault clearing failed: ${(err as Error).message}`));
      });
      later(fault.everySeconds, fire);
    };
    later(fault.atSeconds, fire);
  }
  return () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}
