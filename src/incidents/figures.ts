import type { OutcomeResult, PageCommand, Verdict } from '../policy/index.ts';
import { commandsOf, eventsOf, type IncidentRecord, isEscalation, isRecord } from './record.ts';

/**
 * The figures of one incident, from what was recorded (pure). Times are epoch ms; a figure that
 * cannot be known (yet) is null. Every interval starts at the lead signal: the one that opened
 * the incident.
 *
 * - time to detect: the lead's first failed observation (`startsAt`) -> the signal;
 * - time to decide: the signal -> the first decision to act (heal, page, observe, or the same in
 *   shadow / dry-run, an approval request, an escalation);
 * - time to recover: the signal -> verified healthy (the last heal before recovery succeeded, as
 *   verified by the check that fired), else -> every signal resolved.
 */
export interface IncidentFigures {
  lead: LeadFigures | null;
  decidedAt: number | null;
  decidedVerdict: Verdict | null;
  /** That decision in a word or two: `heal`, `would-heal`, `breaker-open: page`. */
  decided: string | null;
  recoveredAt: number | null;
  recoveredBy: 'verified-heal' | 'signals-resolved' | null;
  timeToDetectMs: number | null;
  timeToDecideMs: number | null;
  timeToRecoverMs: number | null;
  /** First failed observation -> recovered: how long the failure lasted, as far as mend knows. */
  impactMs: number | null;
  attempts: number;
  heals: RunbookHeals[];
  pages: number;
  /** Decisions taken in shadow or dry-run mode: what mend would have done. */
  wouldHeal: number;
  wouldPage: number;
  outcome: IncidentOutcome;
  chronic: ChronicFigures | null;
}

export interface LeadFigures {
  fingerprint: string;
  check: string | null;
  /** The first failed observation. */
  startsAt: number;
  /** The signal. */
  at: number;
}

export type IncidentOutcome =
  | 'open'
  | 'healed'
  | 'resolved-after-failed-heals'
  | 'resolved-without-heal';

export interface RunbookHeals {
  runbook: string;
  attempts: number;
  succeeded: number;
  failed: number;
  unknown: number;
  /** Dispatched and not reported yet. */
  inFlight: number;
}

export interface ChronicFigures {
  at: number;
  heals: number;
  withinMs: number;
  message: string;
}

const DECIDING: ReadonlySet<Verdict> = new Set<Verdict>([
  'heal',
  'would-heal',
  'request-approval',
  'page',
  'would-page',
  'observe',
  'escalate',
]);

export function incidentFigures(record: IncidentRecord): IncidentFigures {
  const { incident } = record;
  const lead = leadOf(record);
  // A guardrail that pages (an open breaker, say) decided too, whatever its verdict.
  const decision = eventsOf(record, 'decision').find(
    (e) => DECIDING.has(e.verdict) || e.commandIds.length > 0,
  );
  const heals = healsOf(record);
  const recovery = recoveryOf(record);
  const attempts = heals.reduce((sum, h) => sum + h.attempts, 0);
  const succeeded = heals.some((h) => h.succeeded > 0);
  const chronic = eventsOf(record, 'chronic')[0];
  const verdicts = eventsOf(record, 'decision').map((e) => e.verdict);
  const since = (at: number | null | undefined, from: number | undefined) =>
    at === null || at === undefined || from === undefined ? null : Math.max(0, at - from);
  return {
    lead,
    decidedAt: decision?.at ?? null,
    decidedVerdict: decision?.verdict ?? null,
    decided:
      decision === undefined
        ? null
        : DECIDING.has(decision.verdict)
          ? decision.verdict
          : `${decision.reason.code}: page`,
    recoveredAt: recovery?.at ?? null,
    recoveredBy: recovery?.by ?? null,
    timeToDetectMs: lead === null ? null : Math.max(0, lead.at - lead.startsAt),
    timeToDecideMs: since(decision?.at, lead?.at),
    timeToRecoverMs: since(recovery?.at, lead?.at),
    impactMs: since(recovery?.at, lead?.startsAt),
    attempts,
    heals,
    pages: new Set(
      commandsOf(record)
        .filter((c) => isEscalation(c.command))
        .map((c) => (c.command as PageCommand).id),
    ).size,
    wouldHeal: verdicts.filter((v) => v === 'would-heal').length,
    wouldPage: verdicts.filter((v) => v === 'would-page').length,
    outcome:
      incident.status === 'open'
        ? 'open'
        : succeeded
          ? 'healed'
          : attempts > 0
            ? 'resolved-after-failed-heals'
            : 'resolved-without-heal',
    chronic: chronic
      ? {
          at: chronic.at,
          heals: chronic.heals,
          withinMs: chronic.withinMs,
          message: chronic.reason.message,
        }
      : null,
  };
}

/** The signal that opened the incident: the first firing signal on its timeline. */
export function leadOf(record: IncidentRecord): LeadFigures | null {
  const first = eventsOf(record, 'signal').find((e) => e.status === 'firing');
  if (first === undefined) return null;
  const stored = record.signals.find(
    (s) => s.fingerprint === first.fingerprint && s.status === 'firing',
  );
  if (stored !== undefined) {
    return {
      fingerprint: stored.fingerprint,
      check: stored.check ?? null,
      startsAt: stored.startsAt,
      at: stored.at,
    };
  }
  // The journaled input carries the signal too (without captured output).
  for (const decision of record.decisions) {
    const input = decision.input as unknown;
    if (!isRecord(input) || !isRecord(input.signal)) continue;
    const { fingerprint, startsAt, at, check } = input.signal;
    if (fingerprint !== first.fingerprint || typeof startsAt !== 'number') continue;
    if (typeof at !== 'number') continue;
    return { fingerprint, startsAt, at, check: typeof check === 'string' ? check : null };
  }
  return null;
}

/** One heal the engine decided for the incident: when, which runbook, and how it ended. */
export interface HealAttempt {
  id: string;
  runbook: string;
  decidedAt: number;
  /** Null while dispatched and not reported. */
  result: OutcomeResult | null;
}

/** Each heal decided, once, in the order decided (the outcome on the timeline, else the row). */
export function healAttemptsOf(record: IncidentRecord): HealAttempt[] {
  const results = new Map<string, OutcomeResult>();
  for (const row of record.commands) {
    if (row.status === 'succeeded' || row.status === 'failed' || row.status === 'unknown') {
      results.set(row.id, row.status);
    }
  }
  for (const event of eventsOf(record, 'outcome')) results.set(event.commandId, event.result);
  const attempts = new Map<string, HealAttempt>();
  for (const { at, command } of commandsOf(record)) {
    if (command.kind !== 'heal' || attempts.has(command.id)) continue;
    attempts.set(command.id, {
      id: command.id,
      runbook: command.runbook,
      decidedAt: at,
      result: results.get(command.id) ?? null,
    });
  }
  return [...attempts.values()];
}

/** Heal attempts per runbook, with how each ended. */
export function healsOf(record: IncidentRecord): RunbookHeals[] {
  const byRunbook = new Map<string, RunbookHeals>();
  for (const attempt of healAttemptsOf(record)) {
    const heals = byRunbook.get(attempt.runbook) ?? {
      runbook: attempt.runbook,
      attempts: 0,
      succeeded: 0,
      failed: 0,
      unknown: 0,
      inFlight: 0,
    };
    heals.attempts++;
    if (attempt.result === null) heals.inFlight++;
    else heals[attempt.result]++;
    byRunbook.set(attempt.runbook, heals);
  }
  return [...byRunbook.values()].sort((a, b) => (a.runbook < b.runbook ? -1 : 1));
}

/**
 * Verified healthy when the last heal before the incident resolved succeeded (and none was
 * decided after it); else the moment every signal resolved; null while open and not verified.
 */
function recoveryOf(
  record: IncidentRecord,
): { at: number; by: 'verified-heal' | 'signals-resolved' } | null {
  const { incident } = record;
  const end = incident.resolvedAt ?? Number.POSITIVE_INFINITY;
  const outcomes = eventsOf(record, 'outcome').filter((e) => e.at <= end);
  const last = outcomes.at(-1);
  // A heal decided after that success means the service failed again: not recovered by it.
  const lastHealAt = Math.max(
    ...commandsOf(record)
      .filter((c) => c.command.kind === 'heal' && c.at <= end)
      .map((c) => c.at),
  );
  if (last?.result === 'succeeded' && last.at >= lastHealAt) {
    return { at: last.at, by: 'verified-heal' };
  }
  if (incident.resolvedAt !== undefined) return { at: incident.resolvedAt, by: 'signals-resolved' };
  return null;
}
