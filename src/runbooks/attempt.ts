import type { StepContext, StepKind, StepResult } from './steps/step-kind.ts';
import { Refusal } from './template-values.ts';

export interface AttemptResult {
  result: StepResult & { refused?: boolean };
  startedAt: number;
  durationMs: number;
  /** mend is stopping: the attempt was cut, and its result is not to be recorded. */
  stopped: boolean;
}

/**
 * One attempt of one step, bounded by its timeout and by mend stopping. The only place a step
 * kind is executed, so every kind gets the same contract: it never rejects (a crash is a failed
 * result), and a timeout aborts the step's signal with a reason that says so.
 */
export async function runAttempt(
  kind: StepKind,
  prepared: unknown,
  context: Omit<StepContext, 'signal'>,
  stop: AbortSignal,
  now: () => number,
): Promise<AttemptResult> {
  const startedAt = now();
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`timed out after ${context.timeoutMs} ms`)),
    context.timeoutMs,
  );
  const onStop = (): void => controller.abort(new Error('mend is stopping'));
  stop.addEventListener('abort', onStop, { once: true });
  let result: AttemptResult['result'];
  try {
    result = await kind.execute(prepared, { ...context, signal: controller.signal });
  } catch (err) {
    result =
      err instanceof Refusal
        ? { ok: false, refused: true, error: err.message }
        : { ok: false, error: `step crashed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
  return {
    result,
    startedAt: Math.round(startedAt),
    durationMs: Math.round((now() - startedAt) * 10) / 10,
    // Only a step that was cut counts as stopped; one that finished just before keeps its result.
    stopped: controller.signal.aborted && stop.aborted,
  };
}
