/** One request the simulator answered, as tests assert on mend's wire behaviour. */
export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  protocol: 'h2' | 'http/1.1';
  contentType?: string;
  accept?: string;
  userAgent?: string;
  /** kubectl's Kubectl-Command header, e.g. `kubectl rollout restart`. */
  command?: string;
  /** The authenticated user, if any. */
  user?: string;
  verb?: string;
  body?: unknown;
  code: number;
  /** The injected fault, when one decided the answer. */
  fault?: string;
}

/** The requests, oldest first, bounded so a long demo does not grow without end. */
export class RequestLog {
  readonly #entries: LoggedRequest[] = [];
  readonly #limit: number;
  readonly #listeners = new Set<(entry: LoggedRequest) => void>();

  constructor(limit = 20_000) {
    this.#limit = limit;
  }

  add(entry: LoggedRequest): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#limit) this.#entries.shift();
    for (const listener of this.#listeners) listener(entry);
  }

  /** Every logged request, or those `filter` keeps. */
  entries(filter?: (entry: LoggedRequest) => boolean): LoggedRequest[] {
    return filter ? this.#entries.filter(filter) : [...this.#entries];
  }

  onRequest(listener: (entry: LoggedRequest) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
