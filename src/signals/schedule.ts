import { hash32 } from '../support/stable-hash.ts';

/**
 * When a check runs. Each check gets a fixed phase within its period from a hash of its identity,
 * so 10,000 checks spread evenly over the period instead of firing in the same millisecond, and a
 * restart or reload keeps every check on the same beat (as Prometheus offsets its scrapes).
 */
export function phaseOf(key: string, periodMs: number): number {
  return hash32(key) % Math.max(1, Math.round(periodMs));
}

/** The first slot of this check's beat at or after `notBefore`. */
export function nextSlot(key: string, periodMs: number, notBefore: number): number {
  const phase = phaseOf(key, periodMs);
  const n = Math.ceil((notBefore - phase) / periodMs);
  return phase + n * periodMs;
}
