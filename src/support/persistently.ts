import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import type { Logger } from './log.ts';

export interface PersistentlyOptions {
  /** What is being done, for the log: `record the outcome of inc-3:heal:1`. */
  what: string;
  log: Logger;
  /** Stops the retrying: the promise rejects with cockatiel's TaskCancelledError. */
  signal: AbortSignal;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs an operation the process must not give up on (recording a signal, an outcome, a timer
 * decision) until it succeeds or `signal` aborts, backing off exponentially. One log line when it
 * first fails and one when it works again, not one per attempt: a locked store for a minute is
 * two lines, not sixty.
 */
export async function persistently<T>(
  operation: () => Promise<T>,
  options: PersistentlyOptions,
): Promise<T> {
  const policy = retry(handleAll, {
    maxAttempts: Number.POSITIVE_INFINITY,
    backoff: new ExponentialBackoff({
      initialDelay: options.initialDelayMs ?? 1000,
      maxDelay: options.maxDelayMs ?? 30_000,
    }),
  });
  let failures = 0;
  policy.onRetry((reason) => {
    if (failures++ > 0) return;
    const err = 'error' in reason ? reason.error : undefined;
    options.log.error({ err }, `cannot ${options.what}; retrying with backoff`);
  });
  const result = await policy.execute(() => operation(), options.signal);
  if (failures > 0) options.log.info(`${options.what}: done after ${failures + 1} attempts`);
  return result;
}
