/**
 * Time as the shell's timing code reads it: now, and one-shot timers. Injected so that a test can
 * drive hours of schedule in microseconds (test/helpers/fake-clock.ts); the system clock is the
 * default everywhere.
 */
export interface Clock {
  /** Epoch ms, with sub-ms precision. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
