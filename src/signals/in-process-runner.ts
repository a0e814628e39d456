import type { CheckDefinition } from './check-identity.ts';
import { prepareCheck } from './prepare-check.ts';
import type { ProbeRunner, ProbeRunnerOptions } from './probe-runner.ts';
import { Scheduler, type SchedulerStats } from './scheduler.ts';

/** Probes in the calling thread. Outcomes are delivered one at a time, in completion order. */
export class InProcessRunner implements ProbeRunner {
  readonly #scheduler: Scheduler;

  constructor(options: ProbeRunnerOptions) {
    this.#scheduler = new Scheduler({
      maxInFlight: options.maxInFlight,
      maxOutputBytes: options.maxOutputBytes,
      onOutcome: (outcome) => options.onOutcomes([outcome]),
    });
  }

  set(checks: readonly CheckDefinition[]): void {
    this.#scheduler.set(checks.map((check) => prepareCheck(check)));
  }

  start(): void {
    this.#scheduler.start();
  }

  stop(deadlineMs: number): Promise<void> {
    return this.#scheduler.stop(deadlineMs);
  }

  async stats(): Promise<SchedulerStats> {
    return this.#scheduler.stats();
  }
}
