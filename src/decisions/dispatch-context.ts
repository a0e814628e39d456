import type { Config } from '../config/config.ts';
import { type Command, type EngineState, findIncident, type LeadSignal } from '../policy/index.ts';
import { tableGet } from '../policy/table.ts';
import type { DispatchContext, NotifyFn } from './action-port.ts';

/**
 * What a command's action needs besides the command: the service as configured, the lead signal,
 * and for a heal, how its runbook pages (`notifyFor(healId)`).
 */
export function dispatchContext(
  command: Command,
  state: EngineState,
  config: Config,
  report: DispatchContext['report'],
  notifyFor: (healId: string) => NotifyFn,
): DispatchContext {
  if (!('service' in command)) return { report };
  const service = config.services.find((s) => s.name === command.service);
  const lead = leadSignal(state, command.service, command.incidentId);
  return {
    report,
    ...(service ? { service } : {}),
    ...(lead ? { lead } : {}),
    ...(command.kind === 'heal' ? { notify: notifyFor(command.id) } : {}),
  };
}

function leadSignal(
  state: EngineState,
  service: string,
  incidentId: string,
): LeadSignal | undefined {
  const incident = findIncident(state, service, incidentId);
  const record = tableGet(state.services, service)?.signals.find(
    (signal) => signal.fingerprint === incident?.lead,
  );
  return (
    record && {
      fingerprint: record.fingerprint,
      source: record.source,
      check: record.check,
      labels: record.labels,
      summary: record.summary,
      startsAt: record.startsAt,
    }
  );
}
