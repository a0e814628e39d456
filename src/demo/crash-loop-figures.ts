import { healAttemptsOf } from '../incidents/figures.ts';
import { eventsOf, type IncidentRecord } from '../incidents/record.ts';
import type { CrashLoop } from './crash-loops.ts';

/** One incident of a crash loop: from the API's CrashLoopBackOff to the heal, to recovery. */
export interface CrashLoopHeal {
  incident: string;
  /** namespace/pod. */
  pod: string;
  crashLoopAt: number;
  /** CrashLoopBackOff in the API -> the watch's signal about it (the watch, not a poll). */
  toSignalMs: number;
  /** CrashLoopBackOff in the API -> mend's first heal decision of the incident. */
  toDecisionMs: number;
  /**
   * That decision -> the first heal of the incident that succeeded (its verify passed: the
   * watch saw no failing condition), whichever rung it was. Null: no heal succeeded.
   */
  toRecoveryMs: number | null;
}

/**
 * The incidents a crash loop led to a heal of: the first CrashLoopBackOff signal of the
 * incident (labels namespace and pod, from the watch) whose pod the cluster saw enter
 * CrashLoopBackOff before the incident's first heal decision. Pure.
 */
export function crashLoopHeals(
  records: readonly IncidentRecord[],
  crashLoops: readonly CrashLoop[],
): CrashLoopHeal[] {
  const rows: CrashLoopHeal[] = [];
  for (const record of records) {
    const decidedAt = healAttemptsOf(record)[0]?.decidedAt;
    if (decidedAt === undefined) continue;
    const found = record.signals
      .filter((s) => s.status === 'firing' && s.labels.reason === 'CrashLoopBackOff')
      .sort((a, b) => a.at - b.at)
      .flatMap((signal) => {
        const loop = crashLoops.find(
          (c) =>
            c.pod === signal.labels.pod &&
            c.namespace === signal.labels.namespace &&
            c.at <= decidedAt,
        );
        return loop ? [{ signal, loop }] : [];
      })[0];
    if (found === undefined) continue;
    const { signal, loop } = found;
    const healed = eventsOf(record, 'outcome').find((e) => e.result === 'succeeded');
    rows.push({
      incident: record.incident.id,
      pod: `${loop.namespace}/${loop.pod}`,
      crashLoopAt: loop.at,
      toSignalMs: signal.at - loop.at,
      toDecisionMs: decidedAt - loop.at,
      toRecoveryMs: healed === undefined ? null : healed.at - decidedAt,
    });
  }
  return rows;
}

/** The median of some numbers (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
