/** The scheduler's timer firing this late means the loop has more work than it serves in time. */
const LAG_HIGH_MS = 25;
/** Below this the loop keeps up, and the bound may grow again. */
const LAG_LOW_MS = 5;
/** The thread had the CPU for at least this share of the window: its own work is what lags it. */
const BUSY_SHARE = 0.8;
/** How often the bound moves, at most: a decision per window of lag samples, not per sample. */
const ADAPT_EVERY_MS = 100;
/** Never fewer: each probe in flight spends a few loop turns, so a tiny bound would cap throughput. */
const MIN_IN_FLIGHT = 64;

/** CPU time (user + system) of the calling thread, ms. */
export function threadCpuMs(): number {
  const usage = process.threadCpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * How many probes may be in flight, adapted to the event loop. Every probe in flight is a socket
 * whose answer the loop must read: launching more than the loop can serve only piles answers up
 * in buffers, where they wait toward their timeouts (false failures) and hold memory. So when the
 * loop lags (the scheduler's own timer fires late) while the thread ran flat out (its own work is
 * the cause), the bound drops below what is in flight; when the loop keeps up and the bound is
 * what holds probes back, it grows again, up to the configured bound. A loop that lags while the
 * thread got little CPU (other processes had the cores) is left alone: fewer probes in flight
 * would not give it more CPU, only cap its throughput. Waiting probes are not lost: they start
 * late, and their lateness says so.
 */
export class InFlightBound {
  readonly #max: number;
  readonly #min: number;
  readonly #cpuMs: () => number;
  #limit: number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #windowCpuMs = 0;
  #windowLag = 0;
  #held = false;

  constructor(max: number, cpuMs: () => number) {
    this.#max = max;
    this.#min = Math.min(max, MIN_IN_FLIGHT);
    this.#limit = max;
    this.#cpuMs = cpuMs;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Probes waited for a slot in this window. */
  held(): void {
    this.#held = true;
  }

  /** The loop's lag seen at a timer, at `now`, with `inFlight` probes running. */
  sample(now: number, lagMs: number, inFlight: number): void {
    if (lagMs > this.#windowLag) this.#windowLag = lagMs;
    const elapsed = now - this.#windowStart;
    if (elapsed < ADAPT_EVERY_MS) return;
    const cpuMs = this.#cpuMs();
    const busy = cpuMs - this.#windowCpuMs >= BUSY_SHARE * elapsed;
    if (this.#windowLag >= LAG_HIGH_MS && busy) {
      this.#limit = Math.max(this.#min, Math.floor(Math.min(this.#limit, inFlight) * 0.75));
    } else if (this.#windowLag < LAG_LOW_MS && this.#held) {
      // Faster up than down: a slow target needs many probes in flight, and the loop is fine.
      this.#limit = Math.min(this.#max, Math.ceil(this.#limit * 1.5));
    }
    this.#windowStart = now;
    this.#windowCpuMs = cpuMs;
    this.#windowLag = 0;
    this.#held = false;
  }
}
