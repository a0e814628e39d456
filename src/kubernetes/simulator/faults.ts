import { type ApiStatus, failure } from './api-status.ts';

/** Which requests a fault applies to; every field given must match. */
export interface FaultMatch {
  verb?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export type FaultAction =
  /** An error response: 429, 5xx, 409, ... with or without Retry-After. */
  | { respond: { code: number; message?: string; retryAfterSeconds?: number } }
  /** The connection (or HTTP/2 stream) reset before any answer. */
  | { reset: true }
  /** An answer held back this long first. */
  | { delayMs: number }
  /** A watch stream closed by the server after this many events. */
  | { cutWatchAfterEvents: number }
  /** A watch answered with an ERROR event carrying 410 Expired. */
  | { expireWatch: true };

export interface FaultRule {
  match: FaultMatch;
  /** Matching requests let through before the fault starts (0: from the first). */
  after?: number;
  /** How many matching requests it hits; without it, every one. */
  times?: number;
  action: FaultAction;
}

/** What a request is, for matching. */
export interface FaultTarget {
  verb: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

const REASONS: Record<number, [string, string]> = {
  409: [
    'Conflict',
    'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again',
  ],
  429: [
    'TooManyRequests',
    'the server has received too many requests and has asked us to try again later',
  ],
  500: ['InternalError', 'Internal error occurred: injected by the simulator'],
  502: ['InternalError', 'bad gateway (injected by the simulator)'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: [
    'Timeout',
    'the server was unable to return a response in the time allotted, but may still be processing the request',
  ],
};

/**
 * The Status body of an injected error answer; a 409 names the object, as the real conflict
 * does (`Operation cannot be fulfilled on deployments.apps "web": ...`).
 */
export function faultStatus(
  code: number,
  message?: string,
  object?: { qualifiedResource: string; name?: string },
): ApiStatus {
  const [reason, text] = REASONS[code] ?? ['InternalError', `injected error ${code}`];
  if (code === 409 && message === undefined && object?.name !== undefined) {
    return failure(
      code,
      reason,
      `Operation cannot be fulfilled on ${object.qualifiedResource} "${object.name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  }
  return failure(code, reason, message ?? text);
}

interface ActiveRule {
  id: number;
  rule: FaultRule;
  seen: number;
  hits: number;
}

/**
 * The programmed faults. Each rule counts the requests that match it; the first rule whose
 * window (`after`, `times`) covers a request decides that request's fault.
 */
export class Faults {
  #rules: ActiveRule[] = [];
  #nextId = 1;

  /** Adds a rule; returns its id, for `remove`. */
  add(rule: FaultRule): number {
    const id = this.#nextId++;
    this.#rules.push({ id, rule, seen: 0, hits: 0 });
    return id;
  }

  remove(id: number): void {
    this.#rules = this.#rules.filter((r) => r.id !== id);
  }

  clear(): void {
    this.#rules = [];
  }

  /** The fault for this request, if any (and the request is counted by every matching rule). */
  take(target: FaultTarget, kind: 'request' | 'watch'): FaultAction | undefined {
    let chosen: FaultAction | undefined;
    for (const active of this.#rules) {
      if (!matches(active.rule.match, target)) continue;
      const isWatchAction =
        'cutWatchAfterEvents' in active.rule.action || 'expireWatch' in active.rule.action;
      if (isWatchAction !== (kind === 'watch')) continue;
      active.seen++;
      if (chosen) continue;
      const after = active.rule.after ?? 0;
      const inWindow =
        active.seen > after && (active.rule.times === undefined || active.hits < active.rule.times);
      if (inWindow) {
        active.hits++;
        chosen = active.rule.action;
      }
    }
    return chosen;
  }
}

function matches(match: FaultMatch, target: FaultTarget): boolean {
  return (Object.keys(match) as (keyof FaultMatch)[]).every((key) => match[key] === target[key]);
}
