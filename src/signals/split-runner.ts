import type { CheckDefinition } from './check-identity.ts';
import { type ProbeRunner, sumStats } from './probe-runner.ts';
import { findProbeKind, probeOf } from './probes/registry.ts';
import type { SchedulerStats } from './scheduler.ts';

/**
 * The checks of kinds that run in the main thread (`thread: 'main'`: they read what the main
 * thread holds) to one runner, every other check to the other (the probe workers).
 */
export class SplitRunner implements ProbeRunner {
  readonly #workers: ProbeRunner;
  readonly #main: ProbeRunner;

  constructor(workers: ProbeRunner, main: ProbeRunner) {
    this.#workers = workers;
    this.#main = main;
  }

  set(checks: readonly CheckDefinition[]): void {
    const main: CheckDefinition[] = [];
    const workers: CheckDefinition[] = [];
    for (const check of checks) (runsInMain(check) ? main : workers).push(check);
    this.#workers.set(workers);
    this.#main.set(main);
  }

  start(): void {
    this.#workers.start();
    this.#main.start();
  }

  async stop(deadlineMs: number): Promise<void> {
    await Promise.all([this.#workers.stop(deadlineMs), this.#main.stop(deadlineMs)]);
  }

  async stats(): Promise<SchedulerStats> {
    return sumStats(await Promise.all([this.#workers.stats(), this.#main.stats()]));
  }
}

function runsInMain(check: CheckDefinition): boolean {
  return findProbeKind(probeOf(check.spec).kind)?.thread === 'main';
}
