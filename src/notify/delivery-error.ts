/**
 * Why a delivery failed, and whether trying again can help. Transient: a timeout, a refused
 * connection, 429 or 5xx; the delivery is retried with backoff. Terminal: a 4xx that says the
 * message or the credential is wrong, a missing secret; recorded at once, never retried.
 */
export class DeliveryError extends Error {
  readonly transient: boolean;

  constructor(message: string, options: { transient: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.transient = options.transient;
  }
}

/** HTTP answers worth another try: timeouts, rate limits and server errors. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
