/**
 * When mend's Kubernetes client asks again, as client-go does: only when the API server said
 * when (`Retry-After`, on a 429 or a 5xx), or when the connection failed before any answer;
 * at most MAX_ATTEMPTS requests in all. A 429 without Retry-After (an eviction a disruption
 * budget refuses) and a 5xx without it are answers the caller acts on, not retried here.
 * Pure: the caller owns the sleeping.
 */
export const MAX_ATTEMPTS = 10;
/** A server asking for longer than this is asked again after this long (the step's deadline still rules). */
export const MAX_RETRY_AFTER_MS = 30_000;
const RESET_BACKOFF_MS = 250;

export type Attempted =
  | { kind: 'answer'; status: number; retryAfter: string | undefined }
  | { kind: 'no-answer' };

/** The wait before the next attempt, or undefined when this outcome is final. */
export function retryDelayMs(outcome: Attempted, attempt: number): number | undefined {
  if (attempt >= MAX_ATTEMPTS) return undefined;
  if (outcome.kind === 'no-answer') return Math.min(RESET_BACKOFF_MS * 2 ** (attempt - 1), 4000);
  const { status, retryAfter } = outcome;
  if (status !== 429 && (status < 500 || status > 599)) return undefined;
  const seconds = parseRetryAfter(retryAfter);
  if (seconds === undefined) return undefined;
  return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
}

/** Retry-After as whole seconds (the form the API server sends); an HTTP date is not used by it. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}
