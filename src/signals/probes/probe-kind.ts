import type { z } from 'zod';
import type { ProbeResult } from '../observation.ts';

/** Everything a probe may use while it runs. A probe holds no retry logic and no timers of its own. */
export interface ProbeContext {
  /** The check's timeoutSeconds in ms; the signal below is aborted when it passes. */
  timeoutMs: number;
  /**
   * Aborted on timeout or shutdown. A probe must stop its I/O promptly when it fires. For a probe
   * that only needs to be told (to destroy its socket), onAbort is cheaper.
   */
  readonly signal: AbortSignal;
  /** True once the run is aborted. */
  readonly aborted: boolean;
  /** Why the run was aborted (a TimeoutError at the timeout); undefined while it runs. */
  readonly abortReason: unknown;
  /** Call `listener` once when the run is aborted (at once if it already was). */
  onAbort(listener: () => void): void;
  /** Take back a listener given to onAbort. */
  offAbort(listener: () => void): void;
  /** Upper bound on captured output (body, stdout) in bytes. */
  maxOutputBytes: number;
}

/** A prepared probe: compiled once per check (regexes, parsed URLs), run once per period. */
export type Probe = ((ctx: ProbeContext) => Promise<ProbeResult>) & {
  /**
   * For a probe that holds something between runs (a followed file's handle): called once when
   * its check leaves the scheduler (removed, changed by a reload, or the stop), possibly while a
   * run is still in flight. The probe lets go when that run ends; it never runs again.
   */
  release?: () => void;
};

/**
 * One kind of probe. The config schema of a check is built from the table of these
 * (see registry.ts), so a new kind is one file and one line there.
 */
export interface ProbeKind<Spec = unknown> {
  /** The key under a check that selects this kind: `http:`, `tcp:`, ... */
  readonly name: string;
  readonly summary: string;
  readonly spec: z.ZodType<Spec>;
  /**
   * Validate-time work that can fail (regex compile, file reads) belongs here, not per probe.
   * `resume` is the last `cursor` an observation of this check carried, kept in the store across
   * restarts (a followed file's offset); undefined the first time. Check its shape: it is data.
   */
  prepare(spec: Spec, resume?: unknown): Probe;
  /**
   * The spec a one-off run (a runbook's verify) prepares, for a kind whose first run would judge
   * the past: a log check verified after a heal must judge the lines written from then on.
   */
  forVerify?(spec: Spec): Spec;
  /**
   * Where its checks run: in a probe worker thread (the default), or in the main thread, for a
   * kind that reads what the main thread holds (the spans the API received).
   */
  readonly thread?: 'worker' | 'main';
}

/** Helper so each kind file gets its Spec type inferred from its schema. */
export function defineProbeKind<S extends z.ZodType>(
  kind: ProbeKind<z.output<S>> & { spec: S },
): ProbeKind<z.output<S>> {
  return kind;
}
