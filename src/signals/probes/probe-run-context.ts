import type { ProbeContext } from './probe-kind.ts';

type AbortListener = () => void;

/**
 * The context of one probe run, with the abort as plain callbacks: `onAbort` and `offAbort` cost
 * no AbortController and no EventTarget listener, which an HTTP probe would otherwise pay on every
 * run (about 9 % of the CPU per probe at 5,000 checks, bench/README.md). `signal`, for a probe
 * that hands it to an API that wants one (undici, a child process), is made on first use and
 * follows the same abort.
 */
export class ProbeRunContext implements ProbeContext {
  readonly timeoutMs: number;
  readonly maxOutputBytes: number;
  #aborted = false;
  #reason: unknown;
  #controller: AbortController | undefined;
  #given: AbortSignal | undefined;
  /** The first listener held apart, so the usual run (one listener) allocates no array. */
  #listener: AbortListener | undefined;
  #more: AbortListener[] | undefined;

  /** `signal`: a caller's signal to follow (aborting when it does) instead of one made here. */
  constructor(timeoutMs: number, maxOutputBytes: number, signal?: AbortSignal) {
    this.timeoutMs = timeoutMs;
    this.maxOutputBytes = maxOutputBytes;
    if (signal === undefined) return;
    this.#given = signal;
    if (signal.aborted) this.abort(signal.reason);
    else signal.addEventListener('abort', () => this.abort(signal.reason), { once: true });
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get abortReason(): unknown {
    return this.#reason;
  }

  get signal(): AbortSignal {
    if (this.#given) return this.#given;
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  onAbort(listener: AbortListener): void {
    if (this.#aborted) listener();
    else if (this.#listener === undefined) this.#listener = listener;
    else {
      this.#more ??= [];
      this.#more.push(listener);
    }
  }

  offAbort(listener: AbortListener): void {
    if (this.#listener === listener) this.#listener = undefined;
    else if (this.#more) {
      const at = this.#more.indexOf(listener);
      if (at >= 0) this.#more.splice(at, 1);
    }
  }

  /** Abort the run: later calls do nothing; each listener runs once. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const first = this.#listener;
    const more = this.#more;
    this.#listener = undefined;
    this.#more = undefined;
    first?.();
    if (more) for (const listener of more) listener();
  }
}
