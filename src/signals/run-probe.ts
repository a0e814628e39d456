import { type Clock, systemClock } from '../support/clock.ts';
import type { Observation } from './observation.ts';
import type { Probe } from './probes/probe-kind.ts';
import { ProbeRunContext } from './probes/probe-run-context.ts';

export interface ProbeRun {
  /** Settles with the observation; never rejects: a probe that throws is a failed observation. */
  done: Promise<Observation>;
  /** Abort the probe now (shutdown), with this reason as its error. */
  abort(reason: string): void;
}

/** Run one probe with its timeout. The only place a probe is called, so every caller gets the same contract. */
export function runProbe(
  probe: Probe,
  options: { timeoutMs: number; maxOutputBytes: number; clock?: Clock },
): ProbeRun {
  const { timeoutMs, maxOutputBytes } = options;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const startedAtPrecise = now();
  // Stored timestamps are whole epoch ms; the duration keeps the sub-ms precision.
  const startedAt = Math.round(startedAtPrecise);
  const ctx = new ProbeRunContext(timeoutMs, maxOutputBytes);
  // Named as AbortSignal.timeout names its reason, so a probe says "timed out", not "aborted".
  const expire = (): void =>
    ctx.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
  // Timers run before the event loop polls its sockets. On a busy loop the answer can have
  // arrived, and be waiting in the socket's buffer, when the timer fires: aborting then would
  // call a probe that got its answer in time a timeout. setImmediate runs after the next poll,
  // which reads what is buffered, so a probe whose answer is there completes first.
  const timeout = clock.setTimeout(() => setImmediate(expire), timeoutMs);
  let pending: Promise<Omit<Observation, 'startedAt' | 'durationMs'>>;
  try {
    pending = probe(ctx);
  } catch (err) {
    pending = Promise.reject(err);
  }
  const settle = (result: Omit<Observation, 'startedAt' | 'durationMs'>): Observation => {
    clock.clearTimeout(timeout);
    return { ...result, startedAt, durationMs: now() - startedAtPrecise };
  };
  // One reaction for both outcomes: one promise and one closure less per probe than catch().then().
  const done = pending.then(settle, (err: unknown) =>
    settle({
      ok: false,
      error: `probe crashed: ${err instanceof Error ? err.message : String(err)}`,
    }),
  );
  return { done, abort: (reason) => ctx.abort(new Error(reason)) };
}
