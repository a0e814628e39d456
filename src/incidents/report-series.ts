import { healAttemptsOf, incidentFigures } from './figures.ts';
import { eventsOf, type IncidentRecord } from './record.ts';

/**
 * The report's figures over time (pure), for charts: the same incidents `mend report` reads,
 * counted per bucket of the window. Each series has one value per bucket, in bucket order.
 */
export interface ReportSeries {
  since: number;
  until: number;
  bucketMs: number;
  /** Each bucket's start, epoch ms; the first is `since` rounded down to a whole bucket. */
  buckets: number[];
  /** Heals decided in each bucket, per service and runbook (the report's rows). */
  heals: { service: string; runbook: string; attempts: number[] }[];
  /** How the heals decided in each bucket ended; success over those that ended (null: none). */
  outcomes: {
    succeeded: number[];
    failed: number[];
    unknown: number[];
    inFlight: number[];
    successRate: (number | null)[];
  };
  /** Time to recover of every incident that recovered, counted in bins (upper bound; last: no bound). */
  recovery: { bins: { upToMs: number | null; count: number }[] };
  /** Chronic flags raised in each bucket, per service. */
  chronic: { service: string; flags: number[] }[];
  /**
   * Incidents a shadow or dry-run policy judged, by the bucket of their first such decision:
   * what mend would have done, next to what happened (recovered on its own, or not: healed by
   * another policy, resolved after failed heals, or still open).
   */
  shadow: {
    wouldHeal: number[];
    wouldPage: number[];
    recoveredOnItsOwn: number[];
    notOnItsOwn: number[];
  };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bucket sizes a window may get: the smallest that keeps it within MAX_BUCKETS. */
const BUCKET_SIZES = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, DAY, 7 * DAY];
const MAX_BUCKETS = 60;

/** Time-to-recover bins: a distribution readable from seconds to hours. */
const RECOVERY_BOUNDS_MS = [
  5_000,
  10_000,
  30_000,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  HOUR,
  4 * HOUR,
];

export function bucketSizeFor(windowMs: number): number {
  return BUCKET_SIZES.find((size) => windowMs / size <= MAX_BUCKETS) ?? BUCKET_SIZES.at(-1)!;
}

export function buildReportSeries(
  records: readonly IncidentRecord[],
  window: { since: number; until: number },
): ReportSeries {
  const bucketMs = bucketSizeFor(window.until - window.since);
  const first = Math.floor(window.since / bucketMs) * bucketMs;
  const count = Math.max(1, Math.ceil((window.until - first) / bucketMs));
  const buckets = Array.from({ length: count }, (_, i) => first + i * bucketMs);
  const zeros = () => new Array<number>(count).fill(0);
  // Incidents are those opened in the window; a heal or flag of theirs decided after `until`
  // counts in the last bucket, so the series add up to the report's totals.
  const bucketOf = (at: number) =>
    Math.min(count - 1, Math.max(0, Math.floor((at - first) / bucketMs)));

  const heals = new Map<string, ReportSeries['heals'][number]>();
  const outcomes = {
    succeeded: zeros(),
    failed: zeros(),
    unknown: zeros(),
    inFlight: zeros(),
  };
  const chronic = new Map<string, number[]>();
  const shadow = {
    wouldHeal: zeros(),
    wouldPage: zeros(),
    recoveredOnItsOwn: zeros(),
    notOnItsOwn: zeros(),
  };
  const recovered: number[] = [];
  for (const record of records) {
    const service = record.incident.service;
    for (const attempt of healAttemptsOf(record)) {
      const key = `${service}\u0000${attempt.runbook}`;
      const row = heals.get(key) ?? { service, runbook: attempt.runbook, attempts: zeros() };
      const at = bucketOf(attempt.decidedAt);
      row.attempts[at]!++;
      heals.set(key, row);
      outcomes[attempt.result ?? 'inFlight'][at]!++;
    }
    for (const flag of eventsOf(record, 'chronic')) {
      const flags = chronic.get(flag.service) ?? zeros();
      flags[bucketOf(flag.at)]!++;
      chronic.set(flag.service, flags);
    }
    const figures = incidentFigures(record);
    if (figures.timeToRecoverMs !== null) recovered.push(figures.timeToRecoverMs);
    const would = eventsOf(record, 'decision').find(
      (e) => e.verdict === 'would-heal' || e.verdict === 'would-page',
    );
    if (would !== undefined) {
      const at = bucketOf(would.at);
      shadow[would.verdict === 'would-heal' ? 'wouldHeal' : 'wouldPage'][at]!++;
      const own = figures.outcome === 'resolved-without-heal';
      shadow[own ? 'recoveredOnItsOwn' : 'notOnItsOwn'][at]!++;
    }
  }
  return {
    ...window,
    bucketMs,
    buckets,
    heals: [...heals.values()].sort((a, b) => by(a.service, b.service) || by(a.runbook, b.runbook)),
    outcomes: {
      ...outcomes,
      successRate: buckets.map((_, i) => {
        const ended = outcomes.succeeded[i]! + outcomes.failed[i]! + outcomes.unknown[i]!;
        return ended === 0 ? null : outcomes.succeeded[i]! / ended;
      }),
    },
    recovery: { bins: recoveryBins(recovered) },
    chronic: [...chronic.entries()]
      .sort(([a], [b]) => by(a, b))
      .map(([service, flags]) => ({ service, flags })),
    shadow,
  };
}

function recoveryBins(durations: readonly number[]): ReportSeries['recovery']['bins'] {
  const bins: ReportSeries['recovery']['bins'] = [
    ...RECOVERY_BOUNDS_MS.map((upToMs) => ({ upToMs, count: 0 })),
    { upToMs: null, count: 0 },
  ];
  for (const ms of durations) {
    const index = RECOVERY_BOUNDS_MS.findIndex((bound) => ms <= bound);
    bins[index === -1 ? bins.length - 1 : index]!.count++;
  }
  return bins;
}

function by(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
