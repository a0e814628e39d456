import type { Config } from '../config/config.ts';
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
