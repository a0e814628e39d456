import { constants, type NodeGCPerformanceDetail, PerformanceObserver } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';

/** One garbage-collection pause, on the `performance.now()` clock the decisions are timed with. */
export interface GcPause {
  start: number;
  end: number;
  major: boolean;
}

/**
 * The GC pauses of this process, as perf_hooks reports them. Entries are timed when the pause
 * happens but delivered on the event loop: await `delivered()` before reading `pauses`.
 * Incremental-marking steps and JIT compiles are not GC entries: a slow decision that no pause
 * overlaps spent its time elsewhere.
 */
export class GcPauses {
  readonly pauses: GcPause[] = [];
  readonly #observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // A 'gc' entry carries its kind in `detail`, which the base type does not declare.
      const { kind } = (entry as unknown as { detail: NodeGCPerformanceDetail }).detail;
      this.pauses.push({
        start: entry.startTime,
        end: entry.startTime + entry.duration,
        major: kind === constants.NODE_PERFORMANCE_GC_MAJOR,
      });
    }
  });

  constructor() {
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  /** Node queues each entry as an immediate, and the observer's callback as another. */
  async delivered(): Promise<void> {
    await setImmediate();
    await setImmediate();
  }

  stop(): void {
    this.#observer.disconnect();
  }

  /** Pauses that overlap [start, end]. */
  during(start: number, end: number): GcPause[] {
    return this.pauses.filter((pause) => pause.start < end && pause.end > start);
  }
}
