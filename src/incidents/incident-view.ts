import type { Command, Reason, Verdict } from '../policy/index.ts';
import type {
  CommandStatus,
  StoredIncidentEvent,
  StoredJournalEntry,
  StoredSignal,
} from '../store/store.ts';
import { type IncidentFigures, incidentFigures } from './figures.ts';
import { commandsOf, engineEvent, eventsOf, type IncidentRecord } from './record.ts';
import { type RunRows, runRows, type StepRun, stepRuns } from './steps.ts';
import { describeEvent, type TimelineEntry, timelineOf } from './timeline.ts';

/**
 * One incident, structured for people and programs: what `mend incidents show --format json`
 * prints, and what the text and Markdown forms render.
 */
export interface IncidentView {
  id: string;
  service: string;
  title: string;
  status: 'open' | 'resolved';
  openedAt: number;
  resolvedAt: number | null;
  resolution: string | null;
  policy: string | null;
  figures: IncidentFigures;
  timeline: TimelineEntry[];
  signals: StoredSignal[];
  decisions: DecisionView[];
  commands: CommandView[];
  heals: HealView[];
  approvals: ApprovalView[];
  /** Timeline entries written by notifiers (deliveries, failures). */
  notifications: TimelineEntry[];
  /** The timeline exactly as recorded (engine events, and what runbooks and notifiers added). */
  events: StoredIncidentEvent[];
}

/** A reason the engine gave about the incident; `verdict` when it decided what to do. */
export interface DecisionView {
  at: number;
  seq: number;
  verdict: Verdict | null;
  commandIds: string[];
  reason: Reason;
}

export interface CommandView {
  id: string;
  kind: Command['kind'];
  decidedAt: number;
  /** The command row's status, when the store has a row naming the incident. */
  status: CommandStatus | null;
  updatedAt: number | null;
  detail: string | null;
  command: Command;
}

export interface HealView {
  id: string;
  runbook: string;
  attempt: number;
  rung: number;
  policy: string;
  params: Record<string, unknown>;
  decidedAt: number;
  result: 'succeeded' | 'failed' | 'unknown' | null;
  resultAt: number | null;
  resultDetail: string | null;
  /** The run's own journal rows: runbook, revision, actor; outcome and detail. */
  run: RunRows;
  steps: StepRun[];
  journal: StoredJournalEntry[];
  /** Not a heal: the preview of one in dry-run or shadow mode (its check modes only). */
  preview?: 'dry-run' | 'shadow';
}

export interface ApprovalView {
  id: string;
  requestedAt: number;
  expiresAt: number;
  runbook: string;
  verdict: string | null;
  actor: string | null;
  at: number | null;
}

/** Timeline types that notifiers write, as opposed to the engine and the runbooks. */
const NOTIFICATION_TYPES = /^(notification|notify|page|delivery|deliver)/;

export function incidentView(record: IncidentRecord): IncidentView {
  const { incident } = record;
  const resolved = incident.timeline.findLast((e) => e.type === 'resolved');
  const matched = eventsOf(record, 'matched').findLast((e) => e.policy !== null);
  return {
    id: incident.id,
    service: incident.service,
    title: incident.title,
    status: incident.status,
    openedAt: incident.openedAt,
    resolvedAt: incident.resolvedAt ?? null,
    resolution: resolutionOf(resolved?.payload),
    policy: matched?.policy ?? null,
    figures: incidentFigures(record),
    timeline: timelineOf(record),
    signals: record.signals,
    decisions: decisionsOf(record),
    commands: commandViews(record),
    heals: healViews(record),
    approvals: approvalViews(record),
    notifications: incident.timeline
      .filter((e) => engineEvent(e) === undefined && NOTIFICATION_TYPES.test(e.type))
      .map(describeEvent),
    events: incident.timeline,
  };
}

function resolutionOf(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const reason = (payload as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : null;
}

function decisionsOf(record: IncidentRecord): DecisionView[] {
  const out: DecisionView[] = [];
  for (const decision of record.decisions) {
    const events = decision.decision.events as { type?: string }[];
    for (const raw of decision.decision.reasons) {
      const reason = raw as Reason;
      if (reason.incidentId !== record.incident.id) continue;
      const event = events.find(
        (e) => e.type === 'decision' && sameReason((e as { reason: Reason }).reason, reason),
      ) as { verdict: Verdict; commandIds: string[] } | undefined;
      out.push({
        at: decision.at,
        seq: decision.seq,
        verdict: event?.verdict ?? null,
        commandIds: event?.commandIds ?? [],
        reason,
      });
    }
  }
  return out;
}

function sameReason(a: Reason, b: Reason): boolean {
  return a.code === b.code && a.message === b.message;
}

function commandViews(record: IncidentRecord): CommandView[] {
  const rows = new Map(record.commands.map((row) => [row.id, row]));
  const seen = new Set<string>();
  const out: CommandView[] = [];
  for (const { at, command } of commandsOf(record)) {
    const id = command.idempotencyKey;
    if (seen.has(id)) continue;
    seen.add(id);
    const row = rows.get(id);
    out.push({
      id,
      kind: command.kind,
      decidedAt: at,
      status: row?.status ?? null,
      updatedAt: row?.updatedAt ?? null,
      detail: row?.detail ?? null,
      command,
    });
  }
  return out;
}

function healViews(record: IncidentRecord): HealView[] {
  const outcomes = new Map(eventsOf(record, 'outcome').map((e) => [e.commandId, e]));
  return commandViews(record).flatMap(({ command, decidedAt, status, updatedAt, detail }) => {
    if (command.kind !== 'heal' && command.kind !== 'preview') return [];
    const heal = command.kind === 'heal' ? command : command.heal;
    const outcome = outcomes.get(command.id);
    const final = status === 'succeeded' || status === 'failed' || status === 'unknown';
    const journal = record.journal[command.id] ?? [];
    return [
      {
        id: command.id,
        runbook: heal.runbook,
        attempt: heal.attempt,
        rung: heal.rung,
        policy: heal.policy,
        params: heal.params,
        decidedAt,
        result: outcome?.result ?? (final ? status : null),
        resultAt: outcome?.at ?? (final ? updatedAt : null),
        resultDetail: outcome?.detail ?? detail,
        run: runRows(journal),
        steps: stepRuns(journal),
        journal,
        ...(command.kind === 'preview' ? { preview: command.mode } : {}),
      },
    ];
  });
}

function approvalViews(record: IncidentRecord): ApprovalView[] {
  const verdicts = eventsOf(record, 'approval');
  return commandsOf(record).flatMap(({ at, command }) => {
    if (command.kind !== 'requestApproval') return [];
    const answer = verdicts.findLast((e) => e.approvalId === command.approvalId);
    return [
      {
        id: command.approvalId,
        requestedAt: at,
        expiresAt: command.expiresAt,
        runbook: command.heal.runbook,
        verdict: answer?.verdict ?? null,
        actor: answer?.actor ?? null,
        at: answer?.at ?? null,
      },
    ];
  });
}
