import { healAttemptsOf, incidentFigures } from '../incidents/figures.ts';
import type { IncidentRecord } from '../incidents/record.ts';
import type { CrashLoop } from './crash-loops.ts';

/** One incident of a crash loop: from the API's CrashLoopBackOff to the heal, to recovery. */
export interface CrashLoopHeal {
  incident: string;
  /** namespace/pod. */
  pod: string;
  crashLoopAt: number;
  /** CrashLoopBackOff in the API -> mend's first heal decision of the incident. */
  toDecisionMs: number;
  /** That decision -> verified healthy (null: not recovered by a heal, or not yet). */
  toRecoveryMs: number | null;
}

/**
 * The incidents that a crash loop opened, each with its pod's CrashLoopBackOff: the latest one
 * of the service's Deployment (pods named DEPLOYMENT-...; the demo names its Services as its
 * Deployments) at or before the incident's first heal decision, and no older than the incident
 * (less a minute: the watch may wait before it fires). Pure.
 */
export function crashLoopHeals(
  records: readonly IncidentRecord[],
  crashLoops: readonly CrashLoop[],
  namespaceOf: (service: string) => string | undefined,
): CrashLoopHeal[] {
  const rows: CrashLoopHeal[] = [];
  for (const record of records) {
    const { incident } = record;
    const decidedAt = healAttemptsOf(record)[0]?.decidedAt;
    const namespace = namespaceOf(incident.service);
    if (decidedAt === undefined || namespace === undefined) continue;
    const loop = crashLoops
      .filter(
        (c) =>
          c.namespace === namespace &&
          c.pod.startsWith(`${incident.service}-`) &&
          c.at <= decidedAt &&
          c.at >= incident.openedAt - 60_000,
      )
      .at(-1);
    if (loop === undefined) continue;
    const figures = incidentFigures(record);
    rows.push({
      incident: incident.id,
      pod: `${loop.namespace}/${loop.pod}`,
      crashLoopAt: loop.at,
      toDecisionMs: decidedAt - loop.at,
      toRecoveryMs:
        figures.recoveredBy === 'verified-heal' && figures.recoveredAt !== null
          ? figures.recoveredAt - decidedAt
          : null,
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
