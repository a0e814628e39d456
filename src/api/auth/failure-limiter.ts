/**
 * Slows down a source address that keeps failing to authenticate: after `maxFailures` failures
 * within `windowMs` it is refused for `baseDelayMs`, and each further block before it is forgiven
 * doubles the delay, up to `maxDelayMs`. An address with no failure for `forgetAfterMs` starts
 * afresh. Guessing a 256-bit token is hopeless anyway: this keeps a misconfigured client or a
 * scanner from filling the audit log and the logs, one row per refusal.
 *
 * Pure and clock-injected: every call takes `now` (epoch ms), nothing reads a clock or sets a
 * timer. Memory is bounded: at most `maxSources` addresses are remembered, the longest unseen
 * forgotten first.
 *
 * The HTTP layer calls `check` before authenticating (refused: 429 with Retry-After, not audited
 * row by row), then `recordFailure` after a refusal (audit `auth.refused`; when it starts a block,
 * audit `auth.limited` once) or `recordSuccess`. Key an IPv6 client by its /64, not its full
 * address: one host holds a whole /64, and could otherwise spread its failures over it (and, past
 * maxSources addresses, push its own entry out).
 */
export interface FailureLimiterOptions {
  maxFailures: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  forgetAfterMs: number;
  maxSources: number;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimiterOptions = {
  maxFailures: 5,
  windowMs: 60_000,
  baseDelayMs: 10_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxSources: 10_000,
};

export type LimiterCheck = { allowed: true } | { allowed: false; retryAfterMs: number };

export type FailureRecord =
  | { blocked: false; failures: number }
  | { blocked: true; retryAfterMs: number; blocks: number };

interface SourceState {
  /** Failure times within the window, oldest first (at most maxFailures). */
  failures: number[];
  blockedUntil: number;
  /** Blocks since the address was last forgiven: the delay doubles with each. */
  blocks: number;
  lastSeen: number;
}

export class FailureLimiter {
  readonly #options: FailureLimiterOptions;
  /** In order of last failure: the first entry is the one to forget when full. */
  readonly #sources = new Map<string, SourceState>();

  constructor(options: Partial<FailureLimiterOptions> = {}) {
    this.#options = { ...DEFAULT_FAILURE_LIMITS, ...options };
    for (const [name, value] of Object.entries(this.#options)) {
      if (!(Number.isFinite(value) && value > 0)) {
        throw new RangeError(`${name} must be a positive number, got ${value}`);
      }
    }
  }

  /** Whether a request from `source` may try to authenticate now. */
  check(source: string, now: number): LimiterCheck {
    const state = this.#current(source, now);
    if (state === undefined || now >= state.blockedUntil) return { allowed: true };
    return { allowed: false, retryAfterMs: state.blockedUntil - now };
  }

  /** A failed authentication from `source`; says whether it starts a block, and for how long. */
  recordFailure(source: string, now: number): FailureRecord {
    const { maxFailures, windowMs, baseDelayMs, maxDelayMs } = this.#options;
    const state = this.#current(source, now) ?? {
      failures: [],
      blockedUntil: 0,
      blocks: 0,
      lastSeen: now,
    };
    state.failures = state.failures.filter((at) => now - at < windowMs);
    state.failures.push(now);
    state.lastSeen = now;
    this.#remember(source, state);
    if (state.failures.length < maxFailures) {
      return { blocked: false, failures: state.failures.length };
    }
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** state.blocks);
    state.blocks += 1;
    state.failures = [];
    state.blockedUntil = now + delay;
    return { blocked: true, retryAfterMs: delay, blocks: state.blocks };
  }

  /** A successful authentication: the failures so far are forgiven (blocks are not, yet). */
  recordSuccess(source: string, now: number): void {
    const state = this.#current(source, now);
    if (state !== undefined) state.failures = [];
  }

  /** How many addresses are remembered (for /metrics, and the bound's test). */
  get size(): number {
    return this.#sources.size;
  }

  /** The state of `source`, or undefined when it has none or it is forgotten by now. */
  #current(source: string, now: number): SourceState | undefined {
    const state = this.#sources.get(source);
    if (state === undefined) return undefined;
    const quietFor = now - Math.max(state.lastSeen, state.blockedUntil);
    if (quietFor >= this.#options.forgetAfterMs) {
      this.#sources.delete(source);
      return undefined;
    }
    return state;
  }

  #remember(source: string, state: SourceState): void {
    // Re-inserted, so the map stays in order of last failure.
    this.#sources.delete(source);
    this.#sources.set(source, state);
    while (this.#sources.size > this.#options.maxSources) {
      const oldest = this.#sources.keys().next().value;
      if (oldest === undefined) break;
      this.#sources.delete(oldest);
    }
  }
}
