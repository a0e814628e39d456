import type { Command, Decision, EngineState, Input } from '../policy/index.ts';
import type { DecisionRecord, NewCommand } from '../store/store.ts';
import { incidentChanges } from './incident-records.ts';
import { recordedInput } from './recorded-input.ts';

/**
 * What the store keeps of one engine step, written in one transaction before any command goes
 * out: the input (its evidence without captured output), the decision, the signal, what it did
 * to incidents, the commands it planned and the operator request it applied.
 */
export function decisionRecord(step: {
  at: number;
  input: Input;
  decision: Decision<EngineState>;
  configRevision: string;
  operatorRequestId?: number | undefined;
}): DecisionRecord {
  const { input, decision } = step;
  const signal = input.kind === 'signal' ? input.signal : undefined;
  return {
    at: step.at,
    input: recordedInput(input),
    decision: { commands: decision.commands, events: decision.events, reasons: decision.reasons },
    configRevision: step.configRevision,
    ...(signal ? { signal } : {}),
    incidents: incidentChanges(decision, signal),
    commands: decision.commands.map(commandRow),
    ...(step.operatorRequestId !== undefined ? { operatorRequestId: step.operatorRequestId } : {}),
  };
}

function commandRow(command: Command): NewCommand {
  return {
    id: command.idempotencyKey,
    kind: command.kind,
    // A page's target is its incident (or a blast-radius group id).
    incidentId: 'incidentId' in command ? command.incidentId : command.target,
    ...('service' in command ? { service: command.service } : {}),
    payload: command,
  };
}
