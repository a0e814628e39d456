import type { ProbeContext } from './probe-kind.ts';

/**
 * Says why a probe stopped when its signal fired. The scheduler aborts both at the timeout and on
 * shutdown; the two need different words ("timed out" is a finding about the target, "aborted" is
 * not), so a timeout is recognised by its reason or by the time spent.
 */
export function abortMessage(ctx: ProbeContext, elapsedMs: number, doing: string): string {
  const reason: unknown = ctx.abortReason;
  const name = typeof reason === 'object' && reason !== null && 'name' in reason ? reason.name : '';
  if (name === 'TimeoutError' || elapsedMs >= ctx.timeoutMs - 1) {
    return `timed out after ${ctx.timeoutMs} ms ${doing}`;
  }
  const why = reason instanceof Error && reason.message !== '' ? ` (${reason.message})` : '';
  return `aborted after ${Math.round(elapsedMs)} ms ${doing}${why}`;
}
