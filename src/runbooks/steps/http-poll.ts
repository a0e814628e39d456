import { z } from 'zod';
import { duration, parseDuration } from '../../config/kinds/duration.ts';

/** A dotted path into a JSON body: `status`, `workflow_runs.0.conclusion`. */
const FIELD_PATH = /^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/;

const jsonScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const httpPollSpec = z
  .strictObject({
    field: z
      .string()
      .regex(FIELD_PATH, { error: 'expected a dotted path such as status or runs.0.state' })
      .describe(
        'Where to look in the JSON body: names and list indexes joined by dots (`status`, `workflow_runs.0.conclusion`).',
      ),
    until: z
      .array(jsonScalar)
      .min(1)
      .describe('The step passes once the field has one of these values (`[completed]`).'),
    failOn: z
      .array(jsonScalar)
      .default([])
      .describe(
        'The step fails at once when the field has one of these values (`[failure, cancelled]`). Default `[]`.',
      ),
    interval: duration({ min: '10ms', max: '10m' })
      .default('5s')
      .describe('Wait before asking again, doubled each time up to `maxInterval`. Default `5s`.'),
    maxInterval: duration({ min: '10ms', max: '1h' })
      .default('1m')
      .describe('The longest wait between two requests. Default `1m`.'),
  })
  .describe(
    'Ask again until a JSON field of the response has one of the given values; the step’s `timeout` is the deadline. A 429 or 503 waits its Retry-After (or the interval) and asks again, and so does GitHub’s rate-limited 403 (`retry-after`, or `x-ratelimit-remaining: 0` until `x-ratelimit-reset`); another unexpected status fails the step.',
  );

export type HttpPollSpec = z.output<typeof httpPollSpec>;

export interface PreparedPoll {
  field: string[];
  until: (string | number | boolean | null)[];
  failOn: (string | number | boolean | null)[];
  intervalMs: number;
  maxIntervalMs: number;
}

export function preparePoll(spec: HttpPollSpec): PreparedPoll {
  return {
    field: spec.field.split('.'),
    until: spec.until,
    failOn: spec.failOn,
    intervalMs: parseDuration(spec.interval)!,
    maxIntervalMs: parseDuration(spec.maxInterval)!,
  };
}

/** The value at `path` in `doc` (list indexes as numbers), or undefined when there is none. */
export function fieldAt(doc: unknown, path: readonly string[]): unknown {
  let here: unknown = doc;
  for (const key of path) {
    if (Array.isArray(here) && /^\d+$/.test(key)) here = here[Number(key)];
    else if (here !== null && typeof here === 'object' && Object.hasOwn(here, key)) {
      here = (here as Record<string, unknown>)[key];
    } else return undefined;
  }
  return here;
}

/** What one answer says about the poll: done, failed, or ask again (after how long at least). */
export type PollVerdict =
  | { kind: 'passed'; value: unknown }
  | { kind: 'failed'; why: string }
  | { kind: 'again'; value: unknown; notBeforeMs?: number };

export function judgeAnswer(
  poll: PreparedPoll,
  answer: { status: number; ok: boolean; headers: Record<string, string>; body: string },
  now: number,
): PollVerdict {
  const limited = rateLimitWait(answer, now);
  if (limited !== null) {
    return {
      kind: 'again',
      value: undefined,
      ...(limited !== undefined ? { notBeforeMs: limited } : {}),
    };
  }
  if (!answer.ok) return { kind: 'failed', why: `status ${answer.status}` };
  let doc: unknown;
  try {
    doc = JSON.parse(answer.body);
  } catch {
    return { kind: 'again', value: undefined }; // a cut or non-JSON answer: ask again
  }
  const value = fieldAt(doc, poll.field);
  if (poll.until.some((want) => want === value)) return { kind: 'passed', value };
  if (poll.failOn.some((bad) => bad === value)) {
    return { kind: 'failed', why: `${poll.field.join('.')} is ${JSON.stringify(value)}` };
  }
  return { kind: 'again', value };
}

/** Retry-After as milliseconds from now: delay-seconds or an HTTP date; undefined if neither. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** GitHub asks for at least a minute when a secondary rate limit gives neither header. */
export const SECONDARY_LIMIT_WAIT_MS = 60_000;

/**
 * Whether an answer says "too many requests, ask later", and how long to wait at least (ms;
 * undefined: the caller's own backoff). null: not rate limited. A 429 or 503, with its
 * Retry-After; and GitHub's forms (docs: "Rate limits for the REST API"): a 403 or 429 with
 * `retry-after`, or with `x-ratelimit-remaining: 0` (wait until `x-ratelimit-reset`, epoch
 * seconds), or whose message says it hit a secondary rate limit (wait a minute). Any other 403
 * is a permission error, not worth asking again.
 */
export function rateLimitWait(
  answer: { status: number; headers: Record<string, string>; body: string },
  now: number,
): number | undefined | null {
  const { status, headers } = answer;
  if (status !== 429 && status !== 503 && status !== 403) return null;
  const after = retryAfterMs(headers['retry-after'], now);
  if (after !== undefined) return after;
  if (
    headers['x-ratelimit-remaining'] === '0' &&
    /^\d+$/.test(headers['x-ratelimit-reset'] ?? '')
  ) {
    return Math.max(0, Number(headers['x-ratelimit-reset']) * 1000 - now);
  }
  if (/rate limit/i.test(answer.body))
    return status === 403 || status === 429 ? SECONDARY_LIMIT_WAIT_MS : undefined;
  return status === 403 ? null : undefined;
}
