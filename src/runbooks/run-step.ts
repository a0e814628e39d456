import type { RunbookStepConfig } from '../config/config.ts';
import { runAttempt } from './attempt.ts';
import {
  type JournalView,
  type JournalWriter,
  type Section,
  type StepIdentity,
  type StepRecord,
  stepKey,
} from './journal.ts';
import { findStepKind } from './steps/registry.ts';
import { sleep } from './steps/sleep.ts';
import type { PrepareContext, StepContext } from './steps/step-kind.ts';
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
 * step is idempotent, otherwise the step's outcome is unknown. Failed attempts are retried with
 * doubling backoff up to `retries`.
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
  const past = ctx.journal.attempts(section, index);
  let failures = past.filter((a) => a.result?.status === 'failed').length;
  let lastFailed = false;
  const last = past.at(-1);
  if (last?.result) {
    const { status } = last.result;
    if (status === 'ok' || status === 'refused' || status === 'unknown') {
      return { status, record: last.result };
    }
    if (status === 'failed' && (failures > step.retries || last.result.inconclusive)) {
      return { status, record: last.result };
    }
    lastFailed = status === 'failed';
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

  const kind = findStepKind(step.kind);
  for (let attempt = (last?.attempt ?? 0) + 1; ; attempt++) {
    if (lastFailed) {
      const backoffMs = Math.min(MAX_BACKOFF_MS, step.retryBackoffMs * 2 ** (failures - 1));
      if (!(await sleep(backoffMs, ctx.stop))) return { status: 'stopped' };
    }
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
    const intent = {
      ...identity(attempt),
      idempotent: step.idempotent,
      command: kind.describe(prepared),
    };
    if (!(await ctx.writer.append('intent', intent))) return { status: 'taken' };
    const run = await runAttempt(
      kind,
      prepared,
      { ...ctx.base, timeoutMs: step.timeoutMs, key: stepKey(ctx.runId, identity(attempt)) },
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
    lastFailed = true;
  }
}
