import type { PageCommand } from '../policy/index.ts';
import { type IncidentFigures, type IncidentOutcome, incidentFigures } from './figures.ts';
import { commandsOf, eventsOf, type IncidentRecord, isEscalation } from './record.ts';
import { type DurationStats, durationStats } from './stats.ts';

/**
 * `mend report`: what healing did over a window, from the incidents opened in it (pure). It
 * answers the review questions: how often did mend heal what, did it work, how fast did service
 * come back, which services keep needing it (chronic), when were humans called, and what would
 * the policies in shadow mode have done compared with what actually happened.
 */
export interface Report {
  since: number;
  until: number;
  incidents: Record<IncidentOutcome | 'total', number>;
  heals: HealRow[];
  totals: Omit<HealRow, 'service' | 'runbook'>;
  recovery: { all: DurationStats; byService: ({ service: string } & DurationStats)[] };
  detect: DurationStats;
  decide: DurationStats;
  /** The impact window: first failed observation -> recovered. */
  impact: DurationStats;
  chronic: ChronicRow[];
  escalations: EscalationRow[];
  shadow: ShadowRow[];
}

export interface HealRow {
  service: string;
  runbook: string;
  attempts: number;
  succeeded: number;
  failed: number;
  unknown: number;
  inFlight: number;
  /** Succeeded over heals that ended; null when none ended. */
  successRate: number | null;
}

export interface ChronicRow {
  service: string;
  incidents: string[];
  /** The most heals within the window any flag counted. */
  heals: number;
  withinMs: number;
  lastFlaggedAt: number;
  message: string;
}

export interface EscalationRow {
  at: number;
  id: string;
  incidents: string[];
  service: string;
  notifiers: string[];
  reason: string;
  message: string;
  chronic: boolean;
}

export interface ShadowRow {
  incident: string;
  service: string;
  policy: string | null;
  verdict: 'would-heal' | 'would-page';
  /** The first such decision, and how many times the incident was judged so. */
  decidedAt: number;
  decisions: number;
  message: string;
  /** What actually happened. */
  outcome: IncidentOutcome;
  recoveredOnItsOwn: boolean;
  /** From that decision to every signal resolved (null while open). */
  resolvedAfterMs: number | null;
  /** Signal -> recovered, as the incident figures say. */
  timeToRecoverMs: number | null;
}

export function buildReport(
  records: readonly IncidentRecord[],
  window: { since: number; until: number },
): Report {
  const figures = new Map(records.map((r) => [r, incidentFigures(r)]));
  const all = [...figures.values()];
  const heals = healRows(records, figures);
  const sum = (key: 'attempts' | 'succeeded' | 'failed' | 'unknown' | 'inFlight') =>
    heals.reduce((total, row) => total + row[key], 0);
  const totals = {
    attempts: sum('attempts'),
    succeeded: sum('succeeded'),
    failed: sum('failed'),
    unknown: sum('unknown'),
    inFlight: sum('inFlight'),
  };
  const outcomes = (outcome: IncidentOutcome) => all.filter((f) => f.outcome === outcome).length;
  return {
    ...window,
    incidents: {
      total: records.length,
      open: outcomes('open'),
      healed: outcomes('healed'),
      'resolved-after-failed-heals': outcomes('resolved-after-failed-heals'),
      'resolved-without-heal': outcomes('resolved-without-heal'),
    },
    heals,
    totals: { ...totals, successRate: rate(totals) },
    recovery: recoveryStats(records, figures),
    detect: durationStats(present(all.map((f) => f.timeToDetectMs))),
    decide: durationStats(present(all.map((f) => f.timeToDecideMs))),
    impact: durationStats(present(all.map((f) => f.impactMs))),
    chronic: chronicRows(records),
    escalations: escalationRows(records),
    shadow: shadowRows(records, figures),
  };
}

function present(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

function rate(row: { succeeded: number; failed: number; unknown: number }): number | null {
  const ended = row.succeeded + row.failed + row.unknown;
  return ended === 0 ? null : row.succeeded / ended;
}

function healRows(
  records: readonly IncidentRecord[],
  figures: Map<IncidentRecord, IncidentFigures>,
): HealRow[] {
  const rows = new Map<string, HealRow>();
  for (const record of records) {
    for (const heals of figures.get(record)!.heals) {
      const service = record.incident.service;
      const key = `${service}\u0000${heals.runbook}`;
      const row = rows.get(key) ?? {
        service,
        runbook: heals.runbook,
        attempts: 0,
        succeeded: 0,
        failed: 0,
        unknown: 0,
        inFlight: 0,
        successRate: null,
      };
      row.attempts += heals.attempts;
      row.succeeded += heals.succeeded;
      row.failed += heals.failed;
      row.unknown += heals.unknown;
      row.inFlight += heals.inFlight;
      row.successRate = rate(row);
      rows.set(key, row);
    }
  }
  return [...rows.values()].sort((a, b) => by(a.service, b.service) || by(a.runbook, b.runbook));
}

function recoveryStats(
  records: readonly IncidentRecord[],
  figures: Map<IncidentRecord, IncidentFigures>,
): Report['recovery'] {
  const byService = new Map<string, number[]>();
  for (const record of records) {
    const ms = figures.get(record)!.timeToRecoverMs;
    if (ms === null) continue;
    const service = record.incident.service;
    byService.set(service, [...(byService.get(service) ?? []), ms]);
  }
  return {
    all: durationStats([...byService.values()].flat()),
    byService: [...byService.entries()]
      .sort(([a], [b]) => by(a, b))
      .map(([service, values]) => ({ service, ...durationStats(values) })),
  };
}

function chronicRows(records: readonly IncidentRecord[]): ChronicRow[] {
  const rows = new Map<string, ChronicRow>();
  for (const record of records) {
    for (const event of eventsOf(record, 'chronic')) {
      const row = rows.get(event.service);
      if (row === undefined) {
        rows.set(event.service, {
          service: event.service,
          incidents: [record.incident.id],
          heals: event.heals,
          withinMs: event.withinMs,
          lastFlaggedAt: event.at,
          message: event.reason.message,
        });
        continue;
      }
      if (!row.incidents.includes(record.incident.id)) row.incidents.push(record.incident.id);
      row.heals = Math.max(row.heals, event.heals);
      if (event.at >= row.lastFlaggedAt) {
        row.lastFlaggedAt = event.at;
        row.message = event.reason.message;
      }
    }
  }
  return [...rows.values()].sort((a, b) => by(a.service, b.service));
}

function escalationRows(records: readonly IncidentRecord[]): EscalationRow[] {
  const rows = new Map<string, EscalationRow>();
  for (const record of records) {
    for (const { at, command } of commandsOf(record)) {
      if (!isEscalation(command) || rows.has(command.id)) continue;
      rows.set(command.id, escalation(at, command, record.incident.service));
    }
  }
  return [...rows.values()].sort((a, b) => a.at - b.at || by(a.id, b.id));
}

function escalation(at: number, page: PageCommand, service: string): EscalationRow {
  return {
    at,
    id: page.id,
    incidents: page.incidentIds,
    service,
    notifiers: page.notifiers,
    reason: page.reason.code,
    message: page.reason.message,
    chronic: page.chronic === true,
  };
}

function shadowRows(
  records: readonly IncidentRecord[],
  figures: Map<IncidentRecord, IncidentFigures>,
): ShadowRow[] {
  const rows: ShadowRow[] = [];
  for (const record of records) {
    const would = eventsOf(record, 'decision').filter(
      (e) => e.verdict === 'would-heal' || e.verdict === 'would-page',
    );
    const first = would[0];
    if (first === undefined) continue;
    const f = figures.get(record)!;
    const resolvedAt = record.incident.resolvedAt;
    rows.push({
      incident: record.incident.id,
      service: record.incident.service,
      policy: first.reason.policy ?? null,
      verdict: first.verdict as ShadowRow['verdict'],
      decidedAt: first.at,
      decisions: would.length,
      message: first.reason.message,
      outcome: f.outcome,
      recoveredOnItsOwn: f.outcome === 'resolved-without-heal',
      resolvedAfterMs: resolvedAt === undefined ? null : Math.max(0, resolvedAt - first.at),
      timeToRecoverMs: f.timeToRecoverMs,
    });
  }
  return rows.sort((a, b) => a.decidedAt - b.decidedAt);
}

function by(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
