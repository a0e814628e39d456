import type { Incident, Store, StoredDecision, StoredJournalEntry } from '../store/store.ts';
import { commandsOf, type IncidentRecord, isRecord, mentions } from './record.ts';

export type IncidentStore = Pick<
  Store,
  'getIncident' | 'listIncidents' | 'listDecisions' | 'listSignals' | 'listCommands' | 'listJournal'
>;

/** Decisions are read in pages of this many: a week of a busy controller is still one pass. */
const PAGE = 2000;

/**
 * Everything recorded about these incidents, in a few queries: their timelines, the decisions of
 * their time span (each given to the incidents it mentions), the signals those decisions carried,
 * command rows, and (when asked) each heal's runbook journal.
 */
export async function loadIncidentRecords(
  store: IncidentStore,
  incidents: readonly Incident[],
  options: { journal: boolean },
): Promise<IncidentRecord[]> {
  if (incidents.length === 0) return [];
  const records: IncidentRecord[] = [];
  for (const incident of incidents) {
    const full = await store.getIncident(incident.id);
    if (full === undefined) continue;
    records.push({
      incident: full,
      decisions: [],
      signals: [],
      commands: [],
      journal: {},
    });
  }
  await attachDecisions(store, records);
  await attachSignals(store, records);
  for (const record of records) {
    record.commands = await store.listCommands({ incidentId: record.incident.id });
    if (options.journal) record.journal = await journalOf(store, record);
  }
  return records;
}

/** The incidents `mend report` reads: those opened in the window, without runbook journals. */
export async function loadReportRecords(
  store: IncidentStore,
  window: { since: number; until: number },
): Promise<IncidentRecord[]> {
  const incidents = await store.listIncidents({ since: window.since, until: window.until + 1 });
  return loadIncidentRecords(store, incidents, { journal: false });
}

/** From opening to the last thing recorded on it (a late outcome comes after resolving). */
function span(record: IncidentRecord): [number, number] {
  const { incident } = record;
  const last = incident.timeline.at(-1)?.at ?? incident.openedAt;
  const end =
    incident.status === 'open'
      ? Number.POSITIVE_INFINITY
      : Math.max(last, incident.resolvedAt ?? last);
  return [incident.openedAt, end];
}

async function attachDecisions(store: IncidentStore, records: IncidentRecord[]): Promise<void> {
  const since = Math.min(...records.map((r) => r.incident.openedAt));
  const ends = records.map((r) => span(r)[1]);
  const until = Math.max(...ends);
  const byId = new Map(records.map((record) => [record.incident.id, record]));
  let afterSeq = 0;
  for (;;) {
    const batch: StoredDecision[] = await store.listDecisions({
      afterSeq,
      since,
      ...(Number.isFinite(until) ? { until: until + 1 } : {}),
      limit: PAGE,
    });
    for (const decision of batch) {
      for (const id of incidentIdsIn(decision)) {
        const record = byId.get(id);
        if (record === undefined) continue;
        const [from, to] = span(record);
        if (decision.at >= from && decision.at <= to && mentions(decision, id)) {
          record.decisions.push(decision);
        }
      }
      afterSeq = decision.seq;
    }
    if (batch.length < PAGE) return;
  }
}

/** Incident ids a decision's events and reasons name (cheap pre-filter). */
function incidentIdsIn(decision: StoredDecision): Set<string> {
  const ids = new Set<string>();
  for (const item of [...decision.decision.events, ...decision.decision.reasons]) {
    if (isRecord(item) && typeof item.incidentId === 'string') ids.add(item.incidentId);
  }
  return ids;
}

/** The stored signals (whole evidence, with output) that the incident's decisions carried. */
async function attachSignals(store: IncidentStore, records: IncidentRecord[]): Promise<void> {
  const wanted = new Map<number, IncidentRecord>();
  const times: number[] = [];
  const services = new Set<string>();
  for (const record of records) {
    for (const decision of record.decisions) {
      if (decision.signalId === undefined || !signalOfIncident(decision, record.incident.id))
        continue;
      wanted.set(decision.signalId, record);
      const at = signalAt(decision);
      if (at !== undefined) times.push(at);
      services.add(record.incident.service);
    }
  }
  if (wanted.size === 0 || times.length === 0) return;
  const window = { since: Math.min(...times), until: Math.max(...times) + 1 };
  for (const service of services) {
    for (const signal of await store.listSignals({ service, ...window })) {
      wanted.get(signal.id)?.signals.push(signal);
    }
  }
}

/** The decision's input is a signal event of this incident (not one that only touched it). */
function signalOfIncident(decision: StoredDecision, incidentId: string): boolean {
  return decision.decision.events.some(
    (e) => isRecord(e) && e.type === 'signal' && e.incidentId === incidentId,
  );
}

function signalAt(decision: StoredDecision): number | undefined {
  const input = decision.input as unknown;
  if (!isRecord(input) || !isRecord(input.signal)) return undefined;
  return typeof input.signal.at === 'number' ? input.signal.at : undefined;
}

async function journalOf(
  store: IncidentStore,
  record: IncidentRecord,
): Promise<Record<string, StoredJournalEntry[]>> {
  const journal: Record<string, StoredJournalEntry[]> = {};
  for (const { command } of commandsOf(record)) {
    if (command.kind !== 'heal' && command.kind !== 'preview') continue;
    if (journal[command.id] !== undefined) continue;
    journal[command.id] = await store.listJournal(command.id);
  }
  return journal;
}
