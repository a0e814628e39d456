/**
 * An answer of the API server that is not a success: its HTTP status and the Status object's
 * reason and message, so a step can say what the server said ("deployments.apps \"web\" is
 * forbidden: ..."), and callers can tell 404 and 429 apart.
 */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  /** The Status body's details.causes messages (a disruption budget's "needs N healthy pods"). */
  readonly causes: string[];
  readonly retryAfter: string | undefined;
  /** The server's own message, without what mend was doing. */
  readonly serverMessage: string;

  constructor(what: string, status: number, body: unknown, retryAfter: string | undefined) {
    const s = (typeof body === 'object' && body !== null ? body : {}) as {
      message?: unknown;
      reason?: unknown;
      details?: { causes?: { message?: unknown }[] };
    };
    const message = typeof s.message === 'string' ? s.message : `HTTP ${status}`;
    super(`${what}: ${message} (HTTP ${status})`);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = typeof s.reason === 'string' ? s.reason : undefined;
    this.causes = (s.details?.causes ?? [])
      .map((c) => c.message)
      .filter((m): m is string => typeof m === 'string');
    this.retryAfter = retryAfter;
    this.serverMessage = message;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}
