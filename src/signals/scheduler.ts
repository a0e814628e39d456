import { type Clock, systemClock } from '../support/clock.ts';
import { InFlightBound, threadCpuMs } from './in-flight-bound.ts';
import { MinHeap } from './min-heap.ts';
import type { Observation } from './observation.ts';
import type { Probe } from './probes/probe-kind.ts';
import { type ProbeRun, runProbe } from './run-probe.ts';
import { nextSlot } from './schedule.ts';

export interface ScheduledCheck {
  key: string;
  revision: string;
  periodMs: number;
  timeoutMs: number;
  initialDelayMs: number;
  probe: Probe;
}

export interface ProbeOutcome {
  key: string;
  revision: string;
  observation: Observation;
  /** How late the probe started against its slot: timer slack plus any wait for a free slot. */
  latenessMs: number;
}

export interface SchedulerOptions {
  /**
   * Probes in flight at once, at most. Past the bound, due probes wait in order: a bound keeps a
   * loaded prober alive. The bound in force adapts below this one to the event loop (InFlightBound).
   */
  maxInFlight: number;
  maxOutputBytes: number;
  onOutcome: (outcome: ProbeOutcome) => void;
  /** The system clock unless a test drives time itself. */
  clock?: Clock;
  /** CPU time this thread has had, ms: this thread's own unless a test drives it. */
  threadCpuMs?: () => number;
}

export interface SchedulerStats {
  checks: number;
  inFlight: number;
  waiting: number;
  probes: number;
  /** Slots skipped because the previous probe of the same check was still running. */
  overlapsSkipped: number;
  /** Slots skipped because the scheduler fell a whole period behind. */
  slotsMissed: number;
  /** The in-flight bound in force now (at most maxInFlight; lower while the event loop lags). */
  inFlightLimit: number;
}

interface Entry {
  check: ScheduledCheck;
  dueAt: number;
  running: boolean;
  removed: boolean;
}

/** Due checks within this many ms of now run in the same pass: one timer for neighbours. */
const BATCH_SLACK_MS = 1;

/**
 * One scheduler for every check it owns: a single timer armed for the earliest due time, never a
 * timer per check. A check never overlaps itself; probes in flight are bounded.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #clock: Clock;
  #heap = new MinHeap<Entry>((entry) => entry.dueAt);
  readonly #entries = new Map<string, Entry>();
  readonly #waiting: Array<{ entry: Entry; dueAt: number } | undefined> = [];
  #waitingHead = 0;
  #timer: unknown;
  #timerAt = Number.POSITIVE_INFINITY;
  /** When the armed timer should fire: its due time, or when it was armed if that was later. */
  #timerFiresAt = Number.POSITIVE_INFINITY;
  readonly #bound: InFlightBound;
  #running = false;
  #inFlight = 0;
  #idle: (() => void) | undefined;
  readonly #runs = new Set<ProbeRun>();
  readonly #stats = { probes: 0, overlapsSkipped: 0, slotsMissed: 0 };

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#bound = new InFlightBound(options.maxInFlight, options.threadCpuMs ?? threadCpuMs);
  }

  /** Replace the set of checks. A check whose key and revision are unchanged keeps its beat. */
  set(checks: readonly ScheduledCheck[]): void {
    const now = this.#clock.now();
    const next = new Map<string, Entry>();
    for (const check of checks) {
      const existing = this.#entries.get(check.key);
      if (existing && existing.check.revision === check.revision) {
        next.set(check.key, existing);
        continue;
      }
      if (existing) this.#remove(existing);
      const entry: Entry = {
        check,
        dueAt: nextSlot(check.key, check.periodMs, now + check.initialDelayMs),
        running: false,
        removed: false,
      };
      next.set(check.key, entry);
      this.#heap.push(entry);
    }
    for (const [key, entry] of this.#entries) if (!next.has(key)) this.#remove(entry);
    this.#entries.clear();
    for (const [key, entry] of next) this.#entries.set(key, entry);
    if (this.#running) this.#arm();
  }

  #remove(entry: Entry): void {
    entry.removed = true;
    entry.check.probe.release?.();
  }

  start(): void {
    if (this.#running) return;
    this.#placeAt(this.#clock.now());
    this.#running = true;
    this.#arm();
  }

  /**
   * Put every check on its first slot after `now`. Slots worked out in set() are stale by the time
   * start() comes (a probe worker prepares 5,000 checks and compacts its heap in between): every
   * check whose phase fell in that gap would be overdue and fire in one burst at start, where its
   * phase should spread it.
   */
  #placeAt(now: number): void {
    const heap = new MinHeap<Entry>((entry) => entry.dueAt);
    for (const entry of this.#entries.values()) {
      entry.dueAt = nextSlot(
        entry.check.key,
        entry.check.periodMs,
        now + entry.check.initialDelayMs,
      );
      heap.push(entry);
    }
    this.#heap = heap;
  }

  /**
   * Stop scheduling, wait for probes in flight up to `deadlineMs`, then abort what is left.
   * Resolves when nothing is in flight.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.#running = false;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting.length = 0;
    this.#waitingHead = 0;
    for (const entry of this.#entries.values()) entry.check.probe.release?.();
    if (this.#inFlight === 0) return;
    const idle = new Promise<void>((resolve) => {
      this.#idle = resolve;
    });
    const deadline = this.#clock.setTimeout(() => {
      for (const run of this.#runs) run.abort('mend is stopping');
    }, deadlineMs);
    await idle;
    this.#clock.clearTimeout(deadline);
  }

  stats(): SchedulerStats {
    return {
      checks: this.#entries.size,
      inFlight: this.#inFlight,
      waiting: this.#waiting.length - this.#waitingHead,
      ...this.#stats,
      inFlightLimit: this.#bound.limit,
    };
  }

  #arm(): void {
    const top = this.#peekLive();
    if (!this.#running || top === undefined) return;
    if (top.dueAt >= this.#timerAt && this.#timer !== undefined) return;
    this.#clock.clearTimeout(this.#timer);
    const now = this.#clock.now();
    this.#timerAt = top.dueAt;
    this.#timerFiresAt = Math.max(top.dueAt, now);
    this.#timer = this.#clock.setTimeout(() => this.#tick(), Math.max(0, top.dueAt - now));
  }

  #peekLive(): Entry | undefined {
    let top = this.#heap.peek();
    while (top?.removed) {
      this.#heap.pop();
      top = this.#heap.peek();
    }
    return top;
  }

  #tick(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    // Node fires a timer 1 ms late at best; later than that is the loop being busy.
    this.#bound.sample(now, now - this.#timerFiresAt - 1, this.#inFlight);
    for (
      let top = this.#peekLive();
      top && top.dueAt <= now + BATCH_SLACK_MS;
      top = this.#peekLive()
    ) {
      this.#heap.pop();
      const dueAt = top.dueAt;
      this.#reschedule(top, now);
      if (top.running) {
        this.#stats.overlapsSkipped++;
      } else if (this.#inFlight >= this.#bound.limit) {
        top.running = true; // reserved: it must not be queued twice
        this.#waiting.push({ entry: top, dueAt });
        this.#bound.held();
      } else {
        this.#launch(top, dueAt);
      }
    }
    this.#arm();
  }

  #reschedule(entry: Entry, now: number): void {
    const { periodMs } = entry.check;
    let dueAt = entry.dueAt + periodMs;
    if (dueAt <= now) {
      const behind = Math.floor((now - dueAt) / periodMs) + 1;
      this.#stats.slotsMissed += behind;
      dueAt += behind * periodMs;
    }
    entry.dueAt = dueAt;
    this.#heap.push(entry);
  }

  #launch(entry: Entry, dueAt: number): void {
    const { check } = entry;
    entry.running = true;
    this.#inFlight++;
    this.#stats.probes++;
    const latenessMs = Math.max(0, this.#clock.now() - dueAt);
    const run = runProbe(check.probe, {
      timeoutMs: check.timeoutMs,
      maxOutputBytes: this.#options.maxOutputBytes,
      clock: this.#clock,
    });
    this.#runs.add(run);
    void run.done.then((observation) => {
      this.#runs.delete(run);
      entry.running = false;
      this.#inFlight--;
      this.#options.onOutcome({
        key: check.key,
        revision: check.revision,
        observation,
        latenessMs,
      });
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#running && this.#inFlight < this.#bound.limit) {
      const next = this.#waiting[this.#waitingHead];
      if (next === undefined) break;
      this.#waiting[this.#waitingHead++] = undefined;
      if (this.#waitingHead > 1024 && this.#waitingHead * 2 > this.#waiting.length) {
        this.#waiting.splice(0, this.#waitingHead);
        this.#waitingHead = 0;
      }
      next.entry.running = false;
      if (!next.entry.removed) this.#launch(next.entry, next.dueAt);
    }
    if (this.#inFlight === 0 && this.#idle) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle();
    }
  }
}
