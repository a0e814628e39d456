/**
 * Tarjan's algorithm: the strongly connected components of a directed graph, each a list of
 * nodes (edges to nodes not in the graph, and self-loops, are ignored). Iterative, with an
 * explicit stack of (node, next edge to follow): a chain of 10,000 services is 10,000 levels
 * deep, past what the call stack holds.
 */
export function stronglyConnected(graph: ReadonlyMap<string, readonly string[]>): string[][] {
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
