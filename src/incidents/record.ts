import type {
  Command,
  IncidentEvent as EngineEvent,
  PageCommand,
  Reason,
} from '../policy/index.ts';
import type {
  IncidentWithTimeline,
  StoredCommand,
  StoredDecision,
  StoredIncidentEvent,
  StoredJournalEntry,
  StoredSignal,
} from '../store/store.ts';

/**
 * Everything mend recorded about one incident, as read from the store: the incident and its
 * timeline, the recorded decisions that mention it, its signals with their evidence, its command
 * rows and the runbook journal of each heal. Plain data: figures, reports and renderers are
 * pure functions of it.
 */
export interface IncidentRecord {
  /** Named by the engine's id (`inc-3`), as everything about it is. */
  incident: IncidentWithTimeline;
  /** Recorded decisions that mention the incident, in the order they were decided. */
  decisions: StoredDecision[];
  /** Its signals as stored, with their whole evidence, oldest first. */
  signals: StoredSignal[];
  /** Rows of the commands planned for it that name it (heals, approval requests). */
  commands: StoredCommand[];
  /** The runbook journal of each heal, by heal id (the run id). */
  journal: Record<string, StoredJournalEntry[]>;
}

/** Engine event types the decision loop writes to the timeline as the event itself. */
const ENGINE_TYPES = new Set([
  'signal',
  'matched',
  'decision',
  'linked',
  'unlinked',
  'breaker-reset',
  'outcome',
  'approval',
  'chronic',
]);

/**
 * The timeline entry as the engine event it records, when it is one. The decision loop stores the
 * engine's event as the payload; other writers (runbooks, notifiers) add types of their own.
 */
export function engineEvent(event: StoredIncidentEvent): EngineEvent | undefined {
  if (!ENGINE_TYPES.has(event.type) || !isRecord(event.payload)) return undefined;
  if (event.payload.type !== event.type) return undefined;
  return event.payload as unknown as EngineEvent;
}

export type EventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

/** The engine events of one type on the incident's timeline, oldest first. */
export function eventsOf<T extends EngineEvent['type']>(
  record: Pick<IncidentRecord, 'incident'>,
  type: T,
): EventOf<T>[] {
  const out: EventOf<T>[] = [];
  for (const stored of record.incident.timeline) {
    const event = engineEvent(stored);
    if (event?.type === type) out.push(event as EventOf<T>);
  }
  return out;
}

/** A command the engine decided for this incident, with when it was decided. */
export interface DecidedCommand {
  at: number;
  seq: number;
  command: Command;
}

/** Commands about the incident from its recorded decisions: heals, pages, resolves, approvals. */
export function commandsOf(
  record: Pick<IncidentRecord, 'decisions' | 'incident'>,
): DecidedCommand[] {
  const out: DecidedCommand[] = [];
  for (const decision of record.decisions) {
    for (const raw of decision.decision.commands) {
      const command = raw as Command;
      if (commandIncidents(command).includes(record.incident.id)) {
        out.push({ at: decision.at, seq: decision.seq, command });
      }
    }
  }
  return out;
}

/**
 * A page that escalates to a person (the engine decided a human is needed), as opposed to a
 * message a runbook's notify step sends while it heals.
 */
export function isEscalation(command: Command): command is PageCommand {
  return command.kind === 'page' && command.reason.code !== 'runbook-notify';
}

export function commandIncidents(command: Command): string[] {
  switch (command.kind) {
    case 'heal':
    case 'preview':
    case 'requestApproval':
      return [command.incidentId];
    case 'page':
      return command.incidentIds;
    case 'resolvePage':
      return [command.target];
  }
}

/** Reasons about the incident in its recorded decisions, with when they were given. */
export function reasonsOf(
  record: Pick<IncidentRecord, 'decisions' | 'incident'>,
): { at: number; reason: Reason }[] {
  const out: { at: number; reason: Reason }[] = [];
  for (const decision of record.decisions) {
    for (const raw of decision.decision.reasons) {
      const reason = raw as Reason;
      if (reason.incidentId === record.incident.id) out.push({ at: decision.at, reason });
    }
  }
  return out;
}

/** Does a recorded decision say anything about the incident? */
export function mentions(decision: StoredDecision, incidentId: string): boolean {
  const { events, reasons, commands } = decision.decision;
  return (
    events.some((e) => isRecord(e) && e.incidentId === incidentId) ||
    reasons.some((r) => isRecord(r) && r.incidentId === incidentId) ||
    commands.some((c) => commandIncidents(c as Command).includes(incidentId))
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
