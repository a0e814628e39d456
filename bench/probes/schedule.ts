// Fires probes at a fixed rate: `checks` checks, each once per period, their phases spread evenly
// across the period (check i at i/checks of it), for `durationMs`. The same scheduler drives the
// bare loop and the exporter driver, so both are paced the way mend's scheduler is asked to be.

export interface ScheduleOptions {
  checks: number;
  periodMs: number;
  durationMs: number;
  /**
   * Called for every probe once it is due. `scheduledMs` and `nowMs` are offsets from the start
   * of the schedule; `now - scheduled` is the probe's lateness.
   */
  fire: (check: number, scheduledMs: number, nowMs: number) => void;
  /** performance.now() at which the schedule starts; defaults to now. */
  startedAt?: number;
}

/** Runs the schedule from now; resolves once the last probe has been fired. */
export function runSchedule(options: ScheduleOptions): Promise<void> {
  const { checks, periodMs, durationMs, fire } = options;
  const spacingMs = periodMs / checks;
  const total = Math.floor(durationMs / spacingMs);
  const startedAt = options.startedAt ?? performance.now();
  let next = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const nowMs = performance.now() - startedAt;
      while (next < total && next * spacingMs <= nowMs) {
        fire(next % checks, next * spacingMs, nowMs);
        next++;
      }
      if (next >= total) {
        resolve();
        return;
      }
      const waitMs = next * spacingMs - (performance.now() - startedAt);
      setTimeout(tick, Math.max(0, waitMs));
    };
    tick();
  });
}
