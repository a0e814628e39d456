import type { IncidentWithTimeline, Store, StoredSignal } from '../store/store.ts';

/** What the notifier port reads and writes in the store: incidents, their timelines, signals. */
export type NotifierStore = Pick<
  Store,
  'listIncidents' | 'getIncident' | 'listSignals' | 'appendIncidentEvent'
>;

/** How far back to look for the lead signal among the service's recorded transitions. */
const LEAD_SEARCH_LIMIT = 50;

/**
 * The signal that opened the incident, with its evidence as recorded: the given fingerprint, or
 * the first firing signal on the timeline; the newest firing transition of it up to now.
 */
export async function leadSignal(
  store: NotifierStore,
  incident: IncidentWithTimeline,
  fingerprint: string | undefined,
  now: number,
): Promise<StoredSignal | undefined> {
  const wanted = fingerprint ?? firstFiring(incident);
  if (wanted === undefined) return undefined;
  const signals = await store.listSignals({
    service: incident.service,
    until: now + 1,
    order: 'newest-first',
    limit: LEAD_SEARCH_LIMIT,
  });
  return signals.find((s) => s.fingerprint === wanted && s.status === 'firing');
}

function firstFiring(incident: IncidentWithTimeline): string | undefined {
  for (const event of incident.timeline) {
    if (event.type !== 'signal') continue;
    const p = event.payload as { fingerprint?: unknown; status?: unknown } | null;
    if (p?.status === 'firing' && typeof p.fingerprint === 'string') return p.fingerprint;
  }
  return undefined;
}

/** Heals mend started for the incident: its `heal` decisions so far. */
export function healAttempts(incident: IncidentWithTimeline | undefined): number {
  if (incident === undefined) return 0;
  return incident.timeline.filter(
    (e) => e.type === 'decision' && (e.payload as { verdict?: unknown } | null)?.verdict === 'heal',
  ).length;
}
