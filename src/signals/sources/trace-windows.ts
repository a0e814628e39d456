import { type ReceivedSpan, SERVER_KIND } from './otlp-traces.ts';

/** Upper bounds of the latency buckets, ms; one more bucket for everything above. */
export const LATENCY_BOUNDS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10_000, 30_000,
];
/** The longest window a `traces` check may ask for: what is kept per service. */
export const MAX_WINDOW_SECONDS = 900;
/** Services kept at most; spans of others are counted as dropped, not kept. */
export const MAX_SERVICES = 1000;
/** Spans kept per second bucket as evidence: the slowest and the latest failing. */
const NOTES_PER_BUCKET = 3;

/** A span as evidence: enough to find it in a tracing backend. */
export interface SpanNote {
  traceId: string;
  spanId: string;
  name: string;
  durationMs: number;
  error: boolean;
  statusMessage: string;
  attributes: Record<string, string>;
  startMs: number;
}

export interface TraceSummary {
  service: string;
  windowSeconds: number;
  requests: number;
  errors: number;
  /** errors / requests; 0 with no requests. */
  errorRatio: number;
  /** The latency at quantile q, estimated from the buckets (linear within one); undefined: none. */
  quantileMs(q: number): number | undefined;
  /** Slowest first. */
  slowest: SpanNote[];
  /** Latest first. */
  failing: SpanNote[];
}

interface Bucket {
  second: number;
  requests: number;
  errors: number;
  latency: Uint32Array;
  slowest: SpanNote[];
  failing: SpanNote[];
}

/**
 * Server spans reduced, per service (`service.name`), to counts and a latency histogram per
 * second, over the last MAX_WINDOW_SECONDS. Memory per service is bounded whatever the span rate:
 * at most one bucket per second of the window (only seconds that had spans), each a fixed
 * histogram and a few spans kept as evidence. Spans of other kinds are counted, not kept.
 */
export class TraceWindows {
  readonly #services = new Map<string, Bucket[]>();
  #ignored = 0;
  #dropped = 0;

  /** Adds what a delivery carried; `now` is mend's time (buckets are pruned by it). */
  add(
    spans: readonly ReceivedSpan[],
    now: number,
  ): { kept: number; ignored: number; dropped: number } {
    let kept = 0;
    let ignored = 0;
    let dropped = 0;
    const oldest = Math.floor(now / 1000) - MAX_WINDOW_SECONDS;
    for (const span of spans) {
      if (span.kind !== SERVER_KIND) {
        ignored++;
        continue;
      }
      const second = Math.floor(span.startMs / 1000);
      if (second <= oldest || second > Math.floor(now / 1000) + 60) {
        // Outside the window (or from a clock far ahead): it can never count.
        ignored++;
        continue;
      }
      let buckets = this.#services.get(span.service);
      if (buckets === undefined) {
        if (this.#services.size >= MAX_SERVICES) {
          dropped++;
          continue;
        }
        buckets = [];
        this.#services.set(span.service, buckets);
      }
      addToBucket(bucketFor(buckets, second), span);
      kept++;
    }
    for (const buckets of this.#services.values()) prune(buckets, oldest);
    this.#ignored += ignored;
    this.#dropped += dropped;
    return { kept, ignored, dropped };
  }

  /** The spans of `service` that started within the last `windowSeconds` before `now`. */
  summary(service: string, windowSeconds: number, now: number, since?: number): TraceSummary {
    const from = Math.max(
      Math.floor(now / 1000) - windowSeconds,
      since === undefined ? Number.NEGATIVE_INFINITY : Math.floor(since / 1000) - 1,
    );
    const buckets = (this.#services.get(service) ?? []).filter((b) => b.second > from);
    const latency = new Uint32Array(LATENCY_BOUNDS_MS.length + 1);
    let requests = 0;
    let errors = 0;
    const slowest: SpanNote[] = [];
    const failing: SpanNote[] = [];
    for (const bucket of buckets) {
      requests += bucket.requests;
      errors += bucket.errors;
      for (let i = 0; i < latency.length; i++) latency[i]! += bucket.latency[i]!;
      slowest.push(...bucket.slowest);
      failing.push(...bucket.failing);
    }
    slowest.sort((a, b) => b.durationMs - a.durationMs);
    failing.sort((a, b) => b.startMs - a.startMs);
    return {
      service,
      windowSeconds,
      requests,
      errors,
      errorRatio: requests === 0 ? 0 : errors / requests,
      quantileMs: (q) => quantileOf(latency, requests, q),
      slowest: slowest.slice(0, 5),
      failing: failing.slice(0, 5),
    };
  }

  /** Services held, spans not kept because they were not server spans or out of the window. */
  stats(): { services: number; ignored: number; dropped: number } {
    return { services: this.#services.size, ignored: this.#ignored, dropped: this.#dropped };
  }
}

/**
 * The spans this mend received (POST /v1/traces), for the `traces` checks that read them. One per
 * process on purpose: the receiver (API) and the checks (the prober, a runbook's verify) are
 * parts of one mend that meet only here.
 */
export const receivedTraces = new TraceWindows();

function bucketFor(buckets: Bucket[], second: number): Bucket {
  // Spans arrive roughly in order: the bucket is almost always the last, or one near it.
  for (let i = buckets.length - 1; i >= 0; i--) {
    const bucket = buckets[i]!;
    if (bucket.second === second) return bucket;
    if (bucket.second < second) {
      const made = newBucket(second);
      buckets.splice(i + 1, 0, made);
      return made;
    }
  }
  const made = newBucket(second);
  buckets.unshift(made);
  return made;
}

function newBucket(second: number): Bucket {
  return {
    second,
    requests: 0,
    errors: 0,
    latency: new Uint32Array(LATENCY_BOUNDS_MS.length + 1),
    slowest: [],
    failing: [],
  };
}

function addToBucket(bucket: Bucket, span: ReceivedSpan): void {
  bucket.requests++;
  if (span.error) bucket.errors++;
  let i = 0;
  while (i < LATENCY_BOUNDS_MS.length && span.durationMs > LATENCY_BOUNDS_MS[i]!) i++;
  bucket.latency[i]!++;
  const smallest = bucket.slowest.at(-1);
  if (
    bucket.slowest.length < NOTES_PER_BUCKET ||
    (smallest && span.durationMs > smallest.durationMs)
  ) {
    bucket.slowest.push(note(span));
    bucket.slowest.sort((a, b) => b.durationMs - a.durationMs);
    bucket.slowest.length = Math.min(bucket.slowest.length, NOTES_PER_BUCKET);
  }
  if (span.error) {
    bucket.failing.unshift(note(span));
    bucket.failing.length = Math.min(bucket.failing.length, NOTES_PER_BUCKET);
  }
}

function note(span: ReceivedSpan): SpanNote {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    durationMs: span.durationMs,
    error: span.error,
    statusMessage: span.statusMessage,
    attributes: span.attributes,
    startMs: span.startMs,
  };
}

function prune(buckets: Bucket[], oldest: number): void {
  let drop = 0;
  while (drop < buckets.length && buckets[drop]!.second <= oldest) drop++;
  if (drop > 0) buckets.splice(0, drop);
}

function quantileOf(latency: Uint32Array, total: number, q: number): number | undefined {
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < latency.length; i++) {
    const count = latency[i]!;
    if (count === 0) continue;
    if (seen + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      // Above the last bound nothing says how far: the bound is what can be said.
      const upper = LATENCY_BOUNDS_MS[i] ?? lower;
      return lower + ((upper - lower) * (rank - seen)) / count;
    }
    seen += count;
  }
  return LATENCY_BOUNDS_MS.at(-1);
}
