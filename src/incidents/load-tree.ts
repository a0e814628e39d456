import type { IncidentWithTimeline, Store, StoredDecision } from '../store/store.ts';
import {
  heldBy,
  holding,
  type IncidentTree,
  type IncidentTreeNode,
  linksIn,
  treeNode,
} from './links.ts';

export type TreeStore = Pick<Store, 'getIncident' | 'listDecisions'>;

/** A tree is for people to read: past this many incidents the rest are left out, and said so. */
const MAX_NODES = 100;
/** Holds go through dependencies a few deep at most; this bounds a cycle in bad data too. */
const MAX_DEPTH = 8;
const PAGE = 2000;

/**
 * The tree of linked incidents around one (undefined: no such incident). Up: each incident's
 * latest `linked` event names what holds it. Down: an incident is linked to a root only while
 * the root is open, so the decisions of the root's span carry every link to it.
 */
export async function loadIncidentTree(
  store: TreeStore,
  id: string,
): Promise<IncidentTree | undefined> {
  const focus = await store.getIncident(id);
  if (focus === undefined) return undefined;
  const seen = new Set([focus.id]);
  let top = focus;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const parentId = heldBy(top);
    if (parentId === undefined || seen.has(parentId)) break;
    const parent = await store.getIncident(parentId);
    if (parent === undefined) break;
    seen.add(parent.id);
    top = parent;
  }
  const root = treeNode(top, null);
  const placed = new Set([top.id]);
  let truncated = false;
  let level: { node: IncidentTreeNode; incident: IncidentWithTimeline }[] = [
    { node: root, incident: top },
  ];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
    const next: typeof level = [];
    for (const { node, incident } of level) {
      for (const dependentId of await dependentsOf(store, incident)) {
        if (placed.has(dependentId)) continue;
        if (placed.size >= MAX_NODES) {
          truncated = true;
          break;
        }
        const dependent = await store.getIncident(dependentId);
        if (dependent === undefined) continue;
        placed.add(dependentId);
        const child = treeNode(dependent, holding(dependent, incident.id));
        node.dependents.push(child);
        next.push({ node: child, incident: dependent });
      }
    }
    level = next;
  }
  return { focus: focus.id, top: root, size: placed.size, truncated };
}

/** The incidents linked to this one, in the order they were first linked. */
async function dependentsOf(store: TreeStore, root: IncidentWithTimeline): Promise<string[]> {
  const until = root.status === 'open' ? undefined : (root.resolvedAt ?? root.openedAt) + 1;
  const ids: string[] = [];
  let afterSeq = 0;
  for (;;) {
    const batch: StoredDecision[] = await store.listDecisions({
      afterSeq,
      since: root.openedAt,
      ...(until === undefined ? {} : { until }),
      limit: PAGE,
    });
    for (const link of linksIn(batch)) {
      if (link.root === root.id && !ids.includes(link.dependent)) ids.push(link.dependent);
    }
    if (batch.length < PAGE) return ids;
    afterSeq = batch.at(-1)!.seq;
  }
}
