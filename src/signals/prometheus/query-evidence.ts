import type { QueryEvidence } from '../observation.ts';
import { formatLabels } from './format-labels.ts';
import { type InstantSample, queryInstant, queryRange } from './prometheus-client.ts';

/** The curve that led to a signal: this long before it, in this many points at most. */
export const EVIDENCE_RANGE_MS = 15 * 60 * 1000;
const EVIDENCE_POINTS = 60;
/** Series kept in one piece of evidence: the curve of the signal's series, or the first few. */
const EVIDENCE_SERIES = 10;
const EVIDENCE_BYTES = 1024 * 1024;

export interface QueryEvidenceRequest {
  prometheus: string;
  query: string;
  /** The end of the curve: the signal's time. */
  at: number;
  /** Keep only the series with exactly these labels (a per-series signal's own); else the first. */
  series?: Record<string, string>;
  /**
   * Keep the series whose labels the alert carries (an alert has its series' labels plus the
   * rule's); when none do, the first few.
   */
  within?: Record<string, string>;
  /** Also ask the instant value now (an alert's expression). */
  instant?: boolean;
  /** Prometheus is given this long; past it the evidence says so and the signal goes on. */
  timeoutMs: number;
}

/**
 * Ask Prometheus for an expression's last 15 minutes (and, for an alert, its value now), bounded
 * in series and points. Never throws: Prometheus down leaves the reason in the evidence.
 */
export async function queryEvidence(request: QueryEvidenceRequest): Promise<QueryEvidence> {
  const { prometheus, query, at } = request;
  const options = { signal: AbortSignal.timeout(request.timeoutMs), maxBytes: EVIDENCE_BYTES };
  const stepSeconds = Math.max(1, Math.round(EVIDENCE_RANGE_MS / EVIDENCE_POINTS / 1000));
  const range = { startAt: at - EVIDENCE_RANGE_MS, endAt: at, stepSeconds };
  const [curve, now] = await Promise.all([
    queryRange(prometheus, query, range, options),
    request.instant ? queryInstant(prometheus, query, options) : undefined,
  ]);
  const evidence: QueryEvidence = { prometheus, query };
  const errors: string[] = [];
  let omitted = 0;
  if (curve.ok) {
    const kept = pick(curve.result, request);
    omitted = Math.max(omitted, curve.result.length - kept.length);
    evidence.range = {
      ...range,
      series: kept.map((s) => ({ labels: s.labels, points: s.points.slice(-EVIDENCE_POINTS - 1) })),
    };
  } else errors.push(`range: ${curve.error}`);
  if (now?.ok) {
    const kept = pick(now.result, request);
    omitted = Math.max(omitted, now.result.length - kept.length);
    evidence.value = kept.map((s: InstantSample) => ({ labels: s.labels, value: s.value }));
  } else if (now !== undefined) errors.push(`value: ${now.error}`);
  if (omitted > 0) evidence.omittedSeries = omitted;
  if (errors.length > 0) evidence.error = errors.join('; ');
  return evidence;
}

function pick<T extends { labels: Record<string, string> }>(
  all: readonly T[],
  { series, within }: QueryEvidenceRequest,
): T[] {
  if (series !== undefined) {
    const wanted = formatLabels(series);
    return all.filter((s) => formatLabels(s.labels) === wanted).slice(0, 1);
  }
  if (within !== undefined) {
    const carried = all.filter((s) =>
      Object.entries(s.labels).every(([key, value]) => key === '__name__' || within[key] === value),
    );
    if (carried.length > 0) return carried.slice(0, EVIDENCE_SERIES);
  }
  return all.slice(0, EVIDENCE_SERIES);
}
