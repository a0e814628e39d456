import { humanDuration } from '../config/kinds/duration.ts';
import type { Store } from '../store/store.ts';
import { formatTable } from '../support/text-table.ts';

/** The table the demo ends with: every incident since it started and how long recovery took. */
export async function demoSummary(store: Store, since: number): Promise<string> {
  const incidents = await store.listIncidents({ since });
  if (incidents.length === 0) return 'no incidents\n';
  const rows = incidents.map((incident) => {
    const ttr =
      incident.resolvedAt === undefined || incident.resolvedAt === null
        ? 'open'
        : humanDuration(incident.resolvedAt - incident.openedAt);
    return [
      incident.id,
      incident.service,
      new Date(incident.openedAt).toISOString().slice(11, 19),
      incident.status,
      ttr,
      incident.title.slice(0, 70),
    ];
  });
  return formatTable(['INCIDENT', 'SERVICE', 'OPENED', 'STATUS', 'OPEN FOR', 'TITLE'], rows);
}
