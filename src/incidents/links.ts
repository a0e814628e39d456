import type { IncidentWithTimeline, StoredDecision } from '../store/store.ts';
import { eventsOf, isRecord } from './record.ts';

/**
 * Incidents held by a dependency, as a tree (pure): while a service's dependency is down, the
 * engine links the dependent's incident to the dependency's (a `linked` event on the dependent's
 * timeline, naming the root) and unlinks it when the dependency recovers. The tree is read from
 * the top: the incident that holds the others and is held by none.
 */
export interface IncidentTreeNode {
  id: string;
  service: string;
  status: 'open' | 'resolved';
  title: string;
  openedAt: number;
  resolvedAt: number | null;
  /** How its parent held it: through which dependency, from when until when (null: still). */
  held: { dependency: string; since: number; until: number | null } | null;
  dependents: IncidentTreeNode[];
}

export interface IncidentTree {
  /** The incident asked about, somewhere in the tree. */
  focus: string;
  /** The top of the tree (the focus itself when nothing holds it). */
  top: IncidentTreeNode;
  /** How many incidents the tree has; more than the limit were left out (`truncated`). */
  size: number;
  truncated: boolean;
}

/** One `linked` event: `dependent` held by `root` through the service `dependency`. */
export interface IncidentLink {
  dependent: string;
  root: string;
  dependency: string;
  at: number;
}

/** The links the engine decided in these decisions (the `linked` events they carry). */
export function linksIn(decisions: readonly StoredDecision[]): IncidentLink[] {
  const links: IncidentLink[] = [];
  for (const decision of decisions) {
    for (const event of decision.decision.events) {
      if (!isRecord(event) || event.type !== 'linked') continue;
      const { incidentId, rootIncidentId, dependency, at } = event;
      if (typeof incidentId !== 'string' || typeof rootIncidentId !== 'string') continue;
      links.push({
        dependent: incidentId,
        root: rootIncidentId,
        dependency: typeof dependency === 'string' ? dependency : '',
        at: typeof at === 'number' ? at : decision.at,
      });
    }
  }
  return links;
}

/** The incident that holds this one now, or last held it (its latest `linked` event). */
export function heldBy(incident: IncidentWithTimeline): string | undefined {
  return eventsOf({ incident }, 'linked').at(-1)?.rootIncidentId;
}

/**
 * How `incident` was held by `root`: the first link to it, and the unlink after the last one
 * (null while it is still held).
 */
export function holding(incident: IncidentWithTimeline, root: string): IncidentTreeNode['held'] {
  const links = eventsOf({ incident }, 'linked').filter((e) => e.rootIncidentId === root);
  const first = links[0];
  const last = links.at(-1);
  if (first === undefined || last === undefined) return null;
  const unlinked = eventsOf({ incident }, 'unlinked').find((e) => e.at >= last.at);
  return { dependency: first.dependency, since: first.at, until: unlinked?.at ?? null };
}

export function treeNode(
  incident: IncidentWithTimeline,
  held: IncidentTreeNode['held'],
): IncidentTreeNode {
  return {
    id: incident.id,
    service: incident.service,
    status: incident.status,
    title: incident.title,
    openedAt: incident.openedAt,
    resolvedAt: incident.resolvedAt ?? null,
    held,
    dependents: [],
  };
}
