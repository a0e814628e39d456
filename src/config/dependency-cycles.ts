/**
 * One cycle per strongly connected component of the dependency graph, spelled from the
 * component's first name (alphabetically) along the shortest way back to it, e.g.
 * [api, cache, db, api]. Self-loops are left to the caller (they read better as their own error).
 * One cycle per component is enough: breaking it and validating again shows any other.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  return components(graph)
    .filter((component) => component.length > 1)
    .map((component) => {
      const members = new Set(component);
      const start = [...component].sort()[0]!;
      return shortestCycle(graph, start, members);
    })
    .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/**
 * Tarjan's algorithm: the strongly connected components, each a list of names. Iterative, with
 * an explicit stack of (node, next edge to follow): a chain of 10,000 services is 10,000 levels
 * deep, past what the call stack holds.
 */
function components(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result: string[][] = [];
  const enter = (node: string): { node: string; edge: number } => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    return { node, edge: 0 };
  };
  for (const root of [...graph.keys()].sort()) {
    if (index.has(root)) continue;
    const path = [enter(root)];
    while (path.length > 0) {
      const frame = path[path.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const next = edges[frame.edge++]!;
        if (!graph.has(next) || next === frame.node) continue;
        if (!index.has(next)) path.push(enter(next));
        else if (onStack.has(next)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(next)!));
        }
        continue;
      }
      path.pop();
      const { node } = frame;
      const parent = path[path.length - 1];
      if (parent !== undefined) {
        low.set(parent.node, Math.min(low.get(parent.node)!, low.get(node)!));
      }
      if (low.get(node) === index.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        result.push(component);
      }
    }
  }
  return result;
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
