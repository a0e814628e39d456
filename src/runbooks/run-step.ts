import type { RunbookStepConfig } from '../config/config.ts';
import { runAttempt } from './attempt.ts';
import {
  type AttemptEntries,
  type JournalView,
  type JournalWriter,
  type Section,
  type StepIdentity,
  type StepRecord,
  stepKey,
} from './journal.ts';
import { findStepKind } from './steps/registry.ts';
import { sleep } from './steps/sleep.ts';
import type { ExternalRuns, PrepareContext, StepContext } from './steps/step-kind.ts';
import { Refusal } from './template-values.ts';

/** Everything one step of a run needs besides the step itself. */
export interface StepRunContext {
  runId: string;
  journal: JournalView;
  writer: JournalWriter;
  prepare: PrepareContext;
  base: Omit<StepContext, 'signal' | 'timeoutMs' | 'key'>;
  /** Fires when mend stops: the step in flight is cut and left for the next start to resume. */
  stop: AbortSignal;
  now: () => number;
}

/**
 * How a step ended: a settled status with its record, or `stopped` (mend is stopping; nothing
 * recorded after the intent) or `taken` (another mend journaled this attempt first).
 */
export type StepOutcome =
  | { status: 'ok' | 'failed' | 'refused' | 'unknown'; record: StepRecord }
  | { status: 'stopped' | 'taken' };

const MAX_BACKOFF_MS = 60_000;

/**
 * Runs one step to a settled status, resuming from the journal: a settled step is not run
 * again; an attempt with an intent and no result (mend died during it) runs again only if the
 * step is idempotent, otherwise the step's outcome is unknown; but an attempt of a kind that
 * starts runs elsewhere (a pipeline) that had recorded its run is carried on as the same
 * attempt, following that run. Failed attempts are retried with doubling backoff up to `retries`.
 */
export async function runStep(
  step: RunbookStepConfig,
  section: Section,
  index: number,
  ctx: StepRunContext,
): Promise<StepOutcome> {
  const identity = (attempt: number): StepIdentity => ({
    type: 'step',
    section,
    index,
    name: step.name,
    kind: step.kind,
    attempt,
  });
  const settle = async (record: StepRecord): Promise<StepOutcome> => {
    if (!(await ctx.writer.append('result', record))) return { status: 'taken' };
    return { status: record.status as 'ok', record };
  };
  const kind = findStepKind(step.kind);
  const past = ctx.journal.attempts(section, index);
  let failures = past.filter((a) => a.result?.status === 'failed').length;
  let lastFailed = false;
  const last = past.at(-1);
  /**
   * One attempt, prepared, journaled (unless resumed: its intent is there) and run: the step's
   * outcome, or `retry` when it failed and may be tried again.
   */
  const attemptOnce = async (
    attempt: number,
    resumed?: AttemptEntries,
  ): Promise<StepOutcome | 'retry'> => {
    const started = { ...identity(attempt), startedAt: Math.round(ctx.now()), durationMs: 0 };
    if (kind === undefined) {
      return settle({ ...started, status: 'refused', error: `unknown step kind ${step.kind}` });
    }
    let prepared: unknown;
    try {
      prepared = kind.prepare(step.spec, ctx.prepare);
    } catch (err) {
      // Refused before it started: nothing ran, so there is no intent to journal.
      const error =
        err instanceof Refusal ? err.message : `cannot prepare: ${(err as Error).message}`;
      return settle({ ...started, status: 'refused', error });
    }
    if (resumed === undefined) {
      const intent = {
        ...identity(attempt),
        idempotent: step.idempotent,
        command: kind.describe(prepared),
      };
      if (!(await ctx.writer.append('intent', intent))) return { status: 'taken' };
    }
    const run = await runAttempt(
      kind,
      prepared,
      {
        ...ctx.base,
        timeoutMs: step.timeoutMs,
        key: stepKey(ctx.runId, identity(attempt)),
        ...(kind.startsExternalRun ? { external: externalRuns(attempt, resumed) } : {}),
      },
      ctx.stop,
      ctx.now,
    );
    if (run.stopped) return { status: 'stopped' };
    const { result } = run;
    const record: StepRecord = {
      ...identity(attempt),
      status: result.refused ? 'refused' : result.ok ? 'ok' : 'failed',
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.status !== undefined ? { exitStatus: result.status } : {}),
      ...(result.output !== undefined ? { output: result.output } : {}),
      ...(result.data !== undefined ? { data: result.data } : {}),
      ...(result.inconclusive ? { inconclusive: true } : {}),
      startedAt: run.startedAt,
      durationMs: run.durationMs,
    };
    if (record.status !== 'failed' || record.inconclusive) return settle(record);
    failures++;
    if (failures > step.retries) return settle(record);
    if (!(await ctx.writer.append('result', record))) return { status: 'taken' };
    return 'retry';
  };
  /** What a kind that starts runs elsewhere records, and finds again when resumed. */
  const externalRuns = (attempt: number, resumed?: AttemptEntries): ExternalRuns => {
    let seq = resumed?.external.length ?? 0;
    const runs: ExternalRuns = {
      last: resumed?.external.at(-1)?.run,
      record: async (run) => {
        seq += 1;
        const { type: _step, ...where } = identity(attempt);
        const at = Math.round(ctx.now());
        const record = { ...where, type: 'external' as const, seq, run: { ...run, at } };
        if (!(await ctx.writer.append('intent', record))) {
          throw new Error(
            `another mend journaled this ${run.system} ${run.stage} record first; it follows the run, this one stops`,
          );
        }
        runs.last = record.run;
      },
    };
    return runs;
  };

  if (last?.result) {
    const { status } = last.result;
    if (status === 'ok' || status === 'refused' || status === 'unknown') {
      return { status, record: last.result };
    }
    if (status === 'failed' && (failures > step.retries || last.result.inconclusive)) {
      return { status, record: last.result };
    }
    lastFailed = status === 'failed';
  } else if (last && kind?.startsExternalRun && last.external.length > 0) {
    // Cut while it waited on a run it had started and recorded: follow that run, start none.
    const resumed = await attemptOnce(last.attempt, last);
    if (resumed !== 'retry') return resumed;
    lastFailed = true;
  } else if (last) {
    const cut = { ...identity(last.attempt), startedAt: Math.round(ctx.now()), durationMs: 0 };
    if (!step.idempotent) {
      return settle({
        ...cut,
        status: 'unknown',
        error:
          'mend stopped while this step ran; it is not idempotent, so it is not run again: its effect is unknown',
      });
    }
    const interrupted = await ctx.writer.append('result', {
      ...cut,
      status: 'interrupted',
      error: 'mend stopped while this step ran; running it again (it is idempotent)',
    });
    if (!interrupted) return { status: 'taken' };
  }

  for (let attempt = (last?.attempt ?? 0) + 1; ; attempt++) {
    if (lastFailed) {
      const backoffMs = Math.min(MAX_BACKOFF_MS, step.retryBackoffMs * 2 ** (failures - 1));
      if (!(await sleep(backoffMs, ctx.stop))) return { status: 'stopped' };
    }
    const outcome = await attemptOnce(attempt);
    if (outcome !== 'retry') return outcome;
    lastFailed = true;
  }
}
