import { z } from 'zod';

/**
 * Durations as Prometheus and Go write them: `30s`, `10m`, `1h30m`, `500ms`, `1d`, or `0`. Units
 * appear at most once each, largest first, so a value has one spelling. The pattern is also the
 * JSON Schema's, so editors flag a bad duration before mend does.
 */
export const DURATION_PATTERN = /^(0|(?=\d)(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

export const DURATION_EXPECTED =
  'expected a duration such as 30s, 10m, 1h or 1h30m (units d, h, m, s, ms)';

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|d|h|m|s)/g)) {
    total += Number(amount) * UNIT_MS[unit!]!;
  }
  return total;
}

/** A duration field; `max` bounds it so a typo like `1000d` is caught at load. */
export function duration(options: { min?: string; max?: string } = {}) {
  const minMs = options.min === undefined ? 0 : parseDuration(options.min)!;
  const maxMs = options.max === undefined ? Number.POSITIVE_INFINITY : parseDuration(options.max)!;
  return z
    .string()
    .regex(DURATION_PATTERN, { error: DURATION_EXPECTED })
    .refine((text) => (parseDuration(text) ?? minMs) >= minMs, {
      error: `expected a duration of at least ${options.min}`,
    })
    .refine((text) => (parseDuration(text) ?? 0) <= maxMs, {
      error: `expected a duration of at most ${options.max}`,
    });
}

/**
 * A measured time as people read it: `340ms`, `2.1s`, `4m12s`, `3h5m`, rounded to what matters
 * at its size. The one format for elapsed times in logs, reasons, reports and the demo; settings
 * (a cooldown, a window) are spelled exactly, by `formatDuration`.
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 0) return `-${humanDuration(-ms)}`;
  if (Math.round(ms) === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  if (ms < 3_600_000) return formatDuration(Math.round(ms / 1000) * 1000);
  if (ms < 86_400_000) return formatDuration(Math.round(ms / 60_000) * 60_000);
  return formatDuration(Math.round(ms / 3_600_000) * 3_600_000);
}

/** `1h30m`, `45s`, `250ms`: the shortest exact spelling, for settings in messages. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  // Under half a millisecond (and a clock read a little early) is no time: never an empty word.
  if (!(rest > 0)) return '0s';
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit]!;
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      out += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return out;
}
