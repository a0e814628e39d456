import type { Config } from '../config/config.ts';
import { parseMatcher } from '../config/kinds/matcher.ts';
import type { EngineState, Input } from '../policy/index.ts';
import type { StoredOperatorRequest } from '../store/store.ts';

/**
 * Turn an operator's request (written by `mend approve`, `mend deny`, `mend breaker reset`) into
 * an engine input, or say why it cannot apply, so the operator hears it instead of nothing.
 */
export function operatorInput(
  request: StoredOperatorRequest,
  state: EngineState,
  config: Config,
  now: number,
): { input: Input } | { rejected: string } {
  if (request.kind === 'approval') {
    const { approvalId, verdict } = request.payload;
    if (!state.approvals[approvalId]) {
      const pending = Object.keys(state.approvals);
      return {
        rejected: `no approval ${approvalId} is waiting${pending.length ? ` (waiting: ${pending.join(', ')})` : ' (none is waiting)'}`,
      };
    }
    return { input: { kind: 'approval', at: now, approvalId, verdict, actor: request.actor } };
  }
  if (request.kind === 'silence') return silenceInput(request, state, now);
  if (request.kind === 'silenceExpire') {
    const { silenceId } = request.payload;
    const silence = state.silences?.[silenceId];
    if (silence === undefined || silence.endsAt <= now) {
      const configured = config.silences.some((s) => s.name === silenceId);
      return {
        rejected: configured
          ? `silence ${silenceId} is in the config (${config.silences.find((s) => s.name === silenceId)?.source.file}): edit it there`
          : `no active silence ${silenceId} (mend silence list shows them)`,
      };
    }
    return { input: { kind: 'silenceExpire', at: now, id: silenceId, actor: request.actor } };
  }
  const { service, runbook } = request.payload;
  if (!config.services.some((s) => s.name === service)) {
    return { rejected: `no service named ${service} in the config` };
  }
  return {
    input: {
      kind: 'breakerReset',
      at: now,
      service,
      ...(runbook ? { runbook } : {}),
      actor: request.actor,
    },
  };
}

/** How long a silence may last: longer is a mistake (a typo in the end) more often than not. */
export const MAX_SILENCE_MS = 30 * 86_400_000;

function silenceInput(
  request: Extract<StoredOperatorRequest, { kind: 'silence' }>,
  state: EngineState,
  now: number,
): { input: Input } | { rejected: string } {
  const { matchers, startsAt, endsAt, comment } = request.payload;
  for (const text of matchers) {
    const parsed = parseMatcher(text);
    if ('error' in parsed) return { rejected: `matcher ${JSON.stringify(text)}: ${parsed.error}` };
  }
  if (endsAt <= now) return { rejected: 'it ends before now: give an end in the future' };
  if (endsAt <= startsAt) return { rejected: 'it ends before it starts' };
  if (endsAt - startsAt > MAX_SILENCE_MS) {
    return {
      rejected: `it lasts longer than ${MAX_SILENCE_MS / 86_400_000} days: silence less, or add another later`,
    };
  }
  const id = `sil-${request.id}`;
  if (state.silences?.[id] !== undefined) return { rejected: `silence ${id} exists` };
  return {
    input: {
      kind: 'silence',
      at: now,
      id,
      matchers,
      startsAt,
      endsAt,
      comment,
      actor: request.actor,
    },
  };
}
