import type { Config } from '../config/config.ts';
import {
  type Command,
  createEngine,
  type Decision,
  type EngineState,
  type IncidentEvent,
  type Input,
} from '../policy/index.ts';
import type { Store } from '../store/store.ts';
import { describeCommand } from './describe-command.ts';

export interface ReplayFilter {
  since?: number;
  until?: number;
  service?: string;
  incident?: string;
}

export interface ReplayDifference {
  seq: number;
  at: number;
  input: string;
  recorded: string[];
  replayed: string[];
}

export interface ReplayResult {
  /** Recorded inputs decided again (all of them up to `until`: guardrails depend on history). */
  replayed: number;
  /** Of those, the ones inside the filter whose decisions were compared. */
  compared: number;
  differences: ReplayDifference[];
}

type RecordedDecision = Pick<Decision<EngineState>, 'commands' | 'events'>;

/**
 * Decide the recorded inputs again under `config` and report where the decisions differ from the
 * recorded ones. Every input from the first is replayed (a breaker or a blast radius depends on
 * what came before), and only decisions inside the filter are compared. The engine is
 * deterministic, so the same config gives no difference at all.
 */
export async function replayDecisions(
  config: Config,
  store: Pick<Store, 'listDecisions'>,
  filter: ReplayFilter,
): Promise<ReplayResult> {
  const engine = createEngine(config);
  let state = engine.initialState();
  const result: ReplayResult = { replayed: 0, compared: 0, differences: [] };
  let afterSeq = 0;
  for (;;) {
    const batch = await store.listDecisions({ afterSeq, limit: 1000 });
    for (const recorded of batch) {
      afterSeq = recorded.seq;
      if (filter.until !== undefined && recorded.at >= filter.until) return result;
      const input = recorded.input as Input;
      const decision = engine.decide(state, input, recorded.at);
      state = decision.state;
      result.replayed++;
      if (filter.since !== undefined && recorded.at < filter.since) continue;
      const before = summarize(recorded.decision as unknown as RecordedDecision, filter);
      const after = summarize(decision, filter);
      if (before.length === 0 && after.length === 0) continue;
      result.compared++;
      if (before.join('\n') !== after.join('\n')) {
        result.differences.push({
          seq: recorded.seq,
          at: recorded.at,
          input: describeInput(input),
          recorded: before,
          replayed: after,
        });
      }
    }
    if (batch.length < 1000) return result;
  }
}

/** The parts of a decision a person compares: commands and verdicts with their reasons. */
function summarize(decision: RecordedDecision, filter: ReplayFilter): string[] {
  const lines: string[] = [];
  for (const command of decision.commands) {
    if (commandMatches(command, filter)) lines.push(describeCommand(command));
  }
  for (const event of decision.events) {
    if (!eventMatches(event, filter)) continue;
    if (event.type === 'decision') {
      lines.push(`${event.incidentId} ${event.verdict}: ${event.reason.message}`);
    } else if (event.type === 'linked' || event.type === 'resolved') {
      lines.push(`${event.incidentId} ${event.type}: ${event.reason.message}`);
    }
  }
  return lines;
}

function commandMatches(command: Command, filter: ReplayFilter): boolean {
  if (filter.incident !== undefined) {
    const ids =
      command.kind === 'page'
        ? command.incidentIds
        : 'incidentId' in command
          ? [command.incidentId]
          : [];
    if (!ids.includes(filter.incident)) return false;
  }
  if (filter.service !== undefined && 'service' in command && command.service !== filter.service) {
    return false;
  }
  return true;
}

function eventMatches(event: IncidentEvent, filter: ReplayFilter): boolean {
  if (filter.incident !== undefined && event.incidentId !== filter.incident) return false;
  if (filter.service !== undefined && 'reason' in event && event.reason.service !== undefined) {
    return event.reason.service === filter.service;
  }
  return true;
}

function describeInput(input: Input): string {
  switch (input.kind) {
    case 'signal':
      return `signal ${input.signal.service}/${input.signal.check ?? input.signal.source} ${input.signal.status}`;
    case 'outcome':
      return `outcome of ${input.commandId}: ${input.result}`;
    case 'approval':
      return `${input.verdict} ${input.approvalId} by ${input.actor}`;
    case 'breakerReset':
      return `breaker reset ${input.service}${input.runbook ? ` ${input.runbook}` : ''} by ${input.actor}`;
    case 'notify':
      return `notify step of ${input.commandId} to ${input.notifiers.join(', ')}`;
    case 'silence':
      return `silence ${input.id} (${input.matchers.join(', ')}) by ${input.actor}`;
    case 'silenceExpire':
      return `expire silence ${input.id} by ${input.actor}`;
    case 'runbookRun':
      return `run ${input.runbook} on ${input.service} by hand by ${input.actor}`;
    case 'tick':
      return 'timer';
  }
}
