import type { Node, Pair, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from 'yaml';

export interface KeyMatch {
  path: PropertyKey[];
  map: YAMLMap;
  pair: Pair;
}

/** The mapping key written at `offset` and the path to it; the parser reports duplicates by offset. */
export function findKeyAt(
  root: unknown,
  offset: number,
  path: PropertyKey[] = [],
): KeyMatch | undefined {
  if (isMap(root)) {
    for (const pair of root.items) {
      const key = pair.key as Node | null;
      const name = isScalar(key) ? String(key.value) : '?';
      if (key?.range?.[0] === offset) return { path: [...path, name], map: root, pair };
      const found = findKeyAt(pair.value, offset, [...path, name]);
      if (found) return found;
    }
  } else if (isSeq(root)) {
    for (const [index, item] of root.items.entries()) {
      const found = findKeyAt(item, offset, [...path, index]);
      if (found) return found;
    }
  }
  return undefined;
}
