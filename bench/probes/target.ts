// Starts target-server.ts as its own process and reads its counters.
import { join } from 'node:path';
import { type Child, startChild, stopChild } from './children.ts';
import { readCpu } from './proc.ts';

export interface TargetStats {
  connections: number;
  responses: number;
  resumed: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** Event-loop delay of the busiest target process since it started (ms). */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface Target {
  url: string;
  pids: number[];
  stats: () => Promise<TargetStats>;
  /** CPU ms used so far by all the target's processes. */
  cpuMs: () => number;
  stop: () => Promise<void>;
}

export async function startTarget(options: { tls: boolean; workers: number }): Promise<Target> {
  const args = [
    join(import.meta.dirname, 'target-server.ts'),
    '--workers',
    String(options.workers),
  ];
  if (options.tls) args.push('--tls');
  const child: Child = startChild(process.execPath, args);
  const ready = JSON.parse(await child.nextLine(undefined, 30_000)) as {
    port: number;
    pids: number[];
  };
  let statsQueue = Promise.resolve<TargetStats>({
    connections: 0,
    responses: 0,
    resumed: 0,
    errors: 0,
    errorCodes: {},
    loopDelayP99Ms: 0,
    loopDelayMaxMs: 0,
  });
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${ready.port}/`,
    pids: ready.pids,
    // One question at a time, so answers cannot be matched to the wrong question.
    stats: () => {
      statsQueue = statsQueue.then(() => {
        child.process.stdin?.write('stats\n');
        return child.nextLine(undefined, 10_000).then((line) => JSON.parse(line) as TargetStats);
      });
      return statsQueue;
    },
    cpuMs: () => ready.pids.reduce((sum, pid) => sum + (readCpu(pid)?.selfMs ?? 0), 0),
    stop: async () => {
      child.process.stdin?.end();
      await stopChild(child);
    },
  };
}
