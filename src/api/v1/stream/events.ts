import { decisionLines, type FeedLine, signalLine } from '../../../decisions/decision-log.ts';
import type { IncidentEvent, Input } from '../../../policy/index.ts';
import {
  externalRunWords,
  type JournalPayload,
  type StepIntent,
  type StepRecord,
} from '../../../runbooks/journal.ts';
import type { StoredDecision, StoredJournalEntry } from '../../../store/store.ts';

/** One event of the stream, before its id (the cursor after it) is given. */
export interface StreamEvent {
  /** SSE event name: `decision` (an input and what was decided) or `step` (a runbook journal row). */
  type: 'decision' | 'step';
  at: number;
  data: Record<string, unknown>;
}

/**
 * A recorded decision as a stream event: the input's kind, what it carried, the reasons, the
 * incident events and the commands, and the lines mend's feed prints for it. A timer that changed
 * nothing is no event (the cursor still moves past it).
 */
export function decisionEvent(decision: StoredDecision): StreamEvent | undefined {
  const input = decision.input as Input;
  const events = decision.decision.events as IncidentEvent[];
  const { reasons, commands } = decision.decision;
  if (
    input.kind === 'tick' &&
    events.length === 0 &&
    commands.length === 0 &&
    reasons.length === 0
  ) {
    return undefined;
  }
  const lines: FeedLine[] = [
    ...(input.kind === 'signal' ? [signalLine(input.signal)] : []),
    ...decisionLines(events, input),
  ];
  return {
    type: 'decision',
    at: decision.at,
    data: {
      seq: decision.seq,
      at: decision.at,
      input: summarizeInput(input),
      reasons,
      events,
      commands,
      lines: lines
        .filter((line) => line.level !== 'debug')
        .map(({ level, text }) => ({ level, text })),
    },
  };
}

/** The input without its bulk: a signal's evidence stays in the store (GET /signals). */
function summarizeInput(input: Input): Record<string, unknown> {
  if (input.kind !== 'signal') return { ...input };
  const { evidence: _evidence, ...signal } = input.signal;
  return { kind: 'signal', at: input.at, signal };
}

/** A runbook journal row as a stream event: a run or a step beginning or ending. */
export function journalEvent(entry: StoredJournalEntry): StreamEvent {
  const payload = entry.payload as JournalPayload;
  return {
    type: 'step',
    at: entry.at,
    data: {
      id: entry.id,
      runId: entry.runId,
      phase: entry.phase,
      at: entry.at,
      payload,
      lines: [{ level: 'info', text: journalLine(entry.runId, entry.phase, payload) }],
    },
  };
}

function journalLine(runId: string, phase: string, payload: JournalPayload): string {
  if (payload.type === 'run') {
    return 'outcome' in payload
      ? `${runId}: run ${payload.outcome}: ${payload.detail}`
      : `${runId}: runbook ${payload.runbook} on ${payload.service} started by ${payload.actor}`;
  }
  const step = `${runId}: ${payload.section} ${payload.index + 1} ${payload.name} (${payload.kind}, attempt ${payload.attempt})`;
  if (payload.type === 'external') return `${step} ${externalRunWords(payload.run)}`;
  if (phase === 'intent')
    return `${step} started${(payload as StepIntent).idempotent ? '' : ', not idempotent'}`;
  const record = payload as StepRecord;
  const exit = record.exitStatus === undefined ? '' : ` (${record.exitStatus})`;
  return `${step} ${record.status}${exit} in ${Math.round(record.durationMs)} ms${record.error ? `: ${record.error}` : ''}`;
}

/** Decisions and journal rows in time order, decisions first on a tie: each source in its own order. */
export function mergeByTime<T extends { at: number }>(
  first: readonly T[],
  second: readonly T[],
): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < first.length || j < second.length) {
    if (j >= second.length || (i < first.length && first[i]!.at <= second[j]!.at))
      out.push(first[i++]!);
    else out.push(second[j++]!);
  }
  return out;
}
