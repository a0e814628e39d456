import type { Config } from '../config/config.ts';
import { parseMatcher } from '../config/kinds/matcher.ts';
import { validateParams } from '../config/kinds/runbook-params.ts';
import { didYouMean } from '../config/suggest.ts';
import type { EngineState, Input } from '../policy/index.ts';
import { tableGet } from '../policy/table.ts';
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
  if (request.kind === 'runbookRun') return runbookRunInput(request, state, config, now);
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

/**
 * A run by hand is refused here, with the reason, when it could not start: no such service or
 * runbook, params the runbook does not accept, or a heal already running on the service (one at
 * a time, by hand or not).
 */
function runbookRunInput(
  request: Extract<StoredOperatorRequest, { kind: 'runbookRun' }>,
  state: EngineState,
  config: Config,
  now: number,
): { input: Input } | { rejected: string } {
  const { service, runbook, params } = request.payload;
  if (!config.services.some((s) => s.name === service)) {
    return {
      rejected: `no service named ${service} in the config${didYouMean(
        service,
        config.services.map((s) => s.name),
      )}`,
    };
  }
  const found = config.runbooks.find((r) => r.name === runbook);
  if (found === undefined) {
    return {
      rejected: `no runbook named ${runbook} in the config${didYouMean(
        runbook,
        config.runbooks.map((r) => r.name),
      )}`,
    };
  }
  const typed = validateParams(found.params, params);
  if ('errors' in typed) return { rejected: `params do not validate: ${typed.errors.join('; ')}` };
  const busy = tableGet(state.services, service)?.busy ?? null;
  if (busy !== null) {
    return {
      rejected: `heal ${busy} is running on ${service}: one heal per service at a time; try again when it ends`,
    };
  }
  return {
    input: {
      kind: 'runbookRun',
      at: now,
      service,
      runbook,
      params: typed.params,
      actor: request.actor,
      request: request.id,
    },
  };
}
