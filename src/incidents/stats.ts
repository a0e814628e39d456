/** Summary statistics of durations, as reports show them. */
export interface DurationStats {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

/** Median (the mean of the middle two for an even count) and p90 by nearest rank. */
export function durationStats(values: readonly number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { count: 0, medianMs: null, p90Ms: null };
  const middle = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { count: n, medianMs: median, p90Ms: sorted[Math.ceil(0.9 * n) - 1]! };
}
