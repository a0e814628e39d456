import {
  ExponentialBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { DeliveryError } from './delivery-error.ts';

export interface DeliveryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Time limit of each attempt. */
  timeoutMs: number;
  backoff: { initialMs: number; maxMs: number };
}

/** How a delivery ended. Errors are data here: the caller records them, the loop goes on. */
export type DeliveryOutcome =
  | { ok: true; attempts: number; durationMs: number }
  | { ok: false; attempts: number; durationMs: number; error: string; transient: boolean };

const isTransient = (err: unknown) =>
  err instanceof TaskCancelledError || (err instanceof DeliveryError && err.transient);

/**
 * Run one delivery with cockatiel: each attempt under a timeout (aggressive, so a receiver that
 * never answers cannot hold the attempt past its limit; the attempt's signal aborts its I/O), and
 * transient failures retried with exponential backoff. Terminal failures stop at once.
 */
export async function deliverWithRetries(
  send: (signal: AbortSignal) => Promise<void>,
  policy: DeliveryPolicy,
  now: () => number = Date.now,
): Promise<DeliveryOutcome> {
  const startedAt = now();
  let attempts = 0;
  const perAttempt = timeout(policy.timeoutMs, TimeoutStrategy.Aggressive);
  const retrying = retry(handleWhen(isTransient), {
    maxAttempts: policy.attempts - 1,
    backoff: new ExponentialBackoff({
      initialDelay: policy.backoff.initialMs,
      maxDelay: policy.backoff.maxMs,
    }),
  });
  try {
    await wrap(retrying, perAttempt).execute(({ signal }) => {
      attempts += 1;
      return send(signal);
    });
    return { ok: true, attempts, durationMs: now() - startedAt };
  } catch (err) {
    const error =
      err instanceof TaskCancelledError
        ? `no answer within ${policy.timeoutMs} ms`
        : err instanceof Error
          ? err.message
          : String(err);
    return {
      ok: false,
      attempts,
      durationMs: now() - startedAt,
      error: attempts > 1 ? `${error} (after ${attempts} attempts)` : error,
      transient: isTransient(err),
    };
  }
}
