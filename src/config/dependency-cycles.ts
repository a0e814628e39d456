import { stronglyConnected } from '../support/graph.ts';

/**
 * One cycle per strongly connected component of the dependency graph, spelled from the
 * component's first name (alphabetically) along the shortest way back to it, e.g.
 * [api, cache, db, api]. Self-loops are left to the caller (they read better as their own error).
 * One cycle per component is enough: breaking it and validating again shows any other.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  return stronglyConnected(graph)
    .filter((component) => component.length > 1)
    .map((component) => {
      const members = new Set(component);
      const start = [...component].sort()[0]!;
      return shortestCycle(graph, start, members);
    })
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/** Breadth-first from `start` back to itself, inside one component. */
function shortestCycle(
  graph: ReadonlyMap<string, readonly string[]>,
  start: string,
  members: ReadonlySet<string>,
): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next) || next === node) continue;
      if (next === start) {
        const path = [start];
        for (
          let at: string | undefined = node;
          at !== start && at !== undefined;
          at = previous.get(at)
        ) {
          path.splice(1, 0, at);
        }
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start]; // Unreachable for a component of more than one node.
}
