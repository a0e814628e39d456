import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { stronglyConnected } from '../../src/support/graph.ts';
import { importsOf, tsFilesUnder } from '../helpers/imports.ts';

/** An import of one project file by another, both relative to the source root. */
export interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
  line: number;
}

/** Every import between files under `root` (packages and built-ins are not edges). */
export async function importEdges(root: string): Promise<Edge[]> {
  const edges: Edge[] = [];
  for (const file of await tsFilesUnder(root)) {
    const source = await readFile(file, 'utf8');
    for (const { specifier, typeOnly, line } of importsOf(source)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      edges.push({ from: relative(root, file), to: relative(root, target), typeOnly, line });
    }
  }
  return edges;
}

/**
 * The unit the direction rules speak of: the top-level folder a file is in (`config` for
 * src/config/kinds/policy.ts), or the file itself when it sits at the root (`controller.ts`).
 */
export function unitOf(path: string): string {
  return path.split(sep)[0]!;
}

/** Strongly connected components with more than one member: each is an import circle. */
export function circles(edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    next.set(from, [...(next.get(from) ?? []), to]);
    if (!next.has(to)) next.set(to, []);
  }
  return stronglyConnected(next)
    .filter((component) => component.length > 1)
    .map((component) => component.sort());
}

/** Which units a unit may import, and which only for types. */
export interface Rule {
  uses: readonly string[];
  /** Units whose types (only) it may name. */
  typesFrom?: readonly string[];
}

/** Each import that crosses units against the rules, as `file:line: a -> b (why)`. */
export function violations(
  edges: readonly Edge[],
  rules: Readonly<Record<string, Rule>>,
): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    const from = unitOf(edge.from);
    const to = unitOf(edge.to);
    if (from === to) continue;
    const rule = rules[from];
    const where = `${edge.from}:${edge.line}: ${from} -> ${to}`;
    if (rule === undefined) {
      problems.push(`${where} (${from} is in no rule: add it to the table and ARCHITECTURE.md)`);
      continue;
    }
    if (rule.uses.includes(to)) continue;
    if (edge.typeOnly && rule.typesFrom?.includes(to)) continue;
    const typesOnly = rule.typesFrom?.includes(to) ? ' (types only: use `import type`)' : '';
    problems.push(`${where}${typesOnly || ' (against the direction of the layers)'}`);
  }
  return problems;
}
