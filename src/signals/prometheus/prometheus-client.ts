import { request } from 'undici';
import { PROBE_USER_AGENT } from '../../support/version.ts';

/** One series of an instant query: its labels and its sample's value. */
export interface InstantSample {
  labels: Record<string, string>;
  /** Seconds since the epoch, as Prometheus stamps it, in ms. */
  at: number;
  value: number;
}

/** One series of a range query: its labels and its points `[epoch ms, value]`, oldest first. */
export interface RangeSeries {
  labels: Record<string, string>;
  points: [number, number][];
}

/** An answer, or why there is none: Prometheus down, slow, or refusing the query. */
export type PrometheusAnswer<T> = { ok: true; result: T } | { ok: false; error: string };

export interface QueryOptions {
  signal: AbortSignal;
  /** The body is read up to this many bytes; a longer answer is an error (a query too wide). */
  maxBytes: number;
}

/**
 * The two calls of Prometheus's HTTP API that mend makes (`/api/v1/query` and
 * `/api/v1/query_range`), as GETs with the query in the URL, as Grafana and promtool make them.
 * Every failure is an answer with an error, never a throw: the monitoring failing is data.
 */
export async function queryInstant(
  base: string,
  query: string,
  options: QueryOptions,
): Promise<PrometheusAnswer<InstantSample[]>> {
  const answer = await call(base, '/api/v1/query', { query }, options);
  if (!answer.ok) return answer;
  const { resultType, result } = answer.result;
  if (resultType === 'scalar' && isPoint(result)) {
    return {
      ok: true,
      result: [{ labels: {}, at: stampMs(result[0]), value: sampleValue(result[1]) }],
    };
  }
  if (resultType !== 'vector' || !Array.isArray(result)) {
    return {
      ok: false,
      error: `the query gives a ${String(resultType)}, expected an instant vector (drop a range selector such as [5m], or wrap it in rate())`,
    };
  }
  const samples: InstantSample[] = [];
  for (const item of result) {
    if (!isSeries(item) || !isPoint(item.value)) return malformed('a vector sample');
    samples.push({
      labels: item.metric,
      at: stampMs(item.value[0]),
      value: sampleValue(item.value[1]),
    });
  }
  return { ok: true, result: samples };
}

export async function queryRange(
  base: string,
  query: string,
  range: { startAt: number; endAt: number; stepSeconds: number },
  options: QueryOptions,
): Promise<PrometheusAnswer<RangeSeries[]>> {
  const params = {
    query,
    start: String(range.startAt / 1000),
    end: String(range.endAt / 1000),
    step: String(range.stepSeconds),
  };
  const answer = await call(base, '/api/v1/query_range', params, options);
  if (!answer.ok) return answer;
  const { resultType, result } = answer.result;
  if (resultType !== 'matrix' || !Array.isArray(result)) {
    return { ok: false, error: `query_range gave a ${String(resultType)}, expected a matrix` };
  }
  const series: RangeSeries[] = [];
  for (const item of result) {
    if (!isSeries(item) || !Array.isArray(item.values) || !item.values.every(isPoint)) {
      return malformed('a matrix series');
    }
    series.push({
      labels: item.metric,
      points: item.values.map(([at, value]) => [stampMs(at), sampleValue(value)]),
    });
  }
  return { ok: true, result: series };
}

interface QueryData {
  resultType: unknown;
  result: unknown;
}

async function call(
  base: string,
  path: string,
  params: Record<string, string>,
  options: QueryOptions,
): Promise<PrometheusAnswer<QueryData>> {
  const url = new URL(path.slice(1), base.endsWith('/') ? base : `${base}/`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const where = `prometheus at ${url.origin}`;
  let text: string;
  let status: number;
  try {
    const response = await request(url, {
      method: 'GET',
      signal: options.signal,
      headers: { 'user-agent': PROBE_USER_AGENT, accept: 'application/json' },
    });
    status = response.statusCode;
    text = await readBounded(response.body, options.maxBytes);
  } catch (err) {
    return { ok: false, error: `${where}: ${describeError(err, options.signal)}` };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: `${where}: HTTP ${status}, not the JSON of Prometheus's API` };
  }
  if (!isObject(body)) return { ok: false, error: `${where}: HTTP ${status}, not an API answer` };
  if (body.status !== 'success') {
    const kind = typeof body.errorType === 'string' ? body.errorType : `HTTP ${status}`;
    const error = typeof body.error === 'string' ? body.error.slice(0, 500) : 'no reason given';
    return { ok: false, error: `${where}: ${kind}: ${error}` };
  }
  if (!isObject(body.data)) return { ok: false, error: `${where}: an answer without data` };
  return { ok: true, result: { resultType: body.data.resultType, result: body.data.result } };
}

async function readBounded(body: AsyncIterable<Buffer>, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      throw new Error(`the answer is over ${maxBytes} bytes (narrow the query)`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeError(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason.message : 'aborted';
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${err.message}${cause}`;
  }
  return String(err);
}

function malformed(what: string): PrometheusAnswer<never> {
  return { ok: false, error: `prometheus answered ${what} mend cannot read` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSeries(
  value: unknown,
): value is { metric: Record<string, string>; value?: unknown; values?: unknown } {
  return (
    isObject(value) &&
    isObject(value.metric) &&
    Object.values(value.metric).every((label) => typeof label === 'string')
  );
}

function isPoint(value: unknown): value is [number, string] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'number' &&
    typeof value[1] === 'string'
  );
}

function stampMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** Prometheus writes sample values as Go formats floats: `+Inf`, `-Inf` and `NaN` included. */
export function sampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}
