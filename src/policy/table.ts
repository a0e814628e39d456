/**
 * A persistent hash map as plain JSON: 32 x 32 leaves of records, keyed by a stable hash of the
 * key. Engine state must be JSON (to snapshot and rebuild it) and is never mutated (the caller
 * keeps the old state), yet a decision about one service among 10,000 must not copy 10,000
 * entries: a write copies one 32-slot spine, one 32-slot branch and one small leaf.
 */
export type Leaf<V> = Record<string, V>;
export type Table<V> = (Array<Leaf<V> | null> | null)[];

const WIDTH = 32;

export function emptyTable<V>(): Table<V> {
  return new Array(WIDTH).fill(null);
}

/** FNV-1a: stable across processes, so a rebuilt state puts every key where it was. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function tableGet<V>(table: Table<V>, key: string): V | undefined {
  const h = hash(key);
  const leaf = table[h & 31]?.[(h >>> 5) & 31];
  return leaf != null && Object.hasOwn(leaf, key) ? leaf[key] : undefined;
}

/** A new table with `key` set to `value`, or removed when `value` is undefined. */
export function tableSet<V>(table: Table<V>, key: string, value: V | undefined): Table<V> {
  const h = hash(key);
  const i = h & 31;
  const j = (h >>> 5) & 31;
  const branch = table[i] ?? new Array(WIDTH).fill(null);
  const leaf: Leaf<V> = { ...(branch[j] ?? {}) };
  if (value === undefined) delete leaf[key];
  else leaf[key] = value;
  const nextBranch = branch.slice();
  nextBranch[j] = Object.keys(leaf).length === 0 ? null : leaf;
  const next = table.slice();
  next[i] = nextBranch.every((l) => l === null) ? null : nextBranch;
  return next;
}

/** Every entry, in a stable order (by hash slot, then insertion). */
export function* tableEntries<V>(table: Table<V>): Generator<[string, V]> {
  for (const branch of table) {
    if (branch === null) continue;
    for (const leaf of branch) {
      if (leaf !== null) yield* Object.entries(leaf);
    }
  }
}
