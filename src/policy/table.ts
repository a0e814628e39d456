/**
 * A persistent hash map as plain JSON: 32 x 32 leaves, keyed by a stable hash of the key. Engine
 * state must be JSON (to snapshot and rebuild it) and is never mutated (the caller keeps the old
 * state), yet a decision about one service among 10,000 must not copy 10,000 entries: a write
 * copies one 32-slot spine, one 32-slot branch and one small leaf. Leaves are lists of
 * [key, value] pairs rather than objects: objects keyed by arbitrary names each get their own
 * hidden class in V8, which makes copying them slow.
 */
export type Leaf<V> = Array<[string, V]>;
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
  if (leaf == null) return undefined;
  for (const entry of leaf) if (entry[0] === key) return entry[1];
  return undefined;
}

/** A new table with `key` set to `value`, or removed when `value` is undefined. */
export function tableSet<V>(table: Table<V>, key: string, value: V | undefined): Table<V> {
  return tableSetMany(table, [[key, value]]);
}

/** Several writes at once: each spine, branch and leaf they touch is copied once. */
export function tableSetMany<V>(
  table: Table<V>,
  writes: ReadonlyArray<readonly [string, V | undefined]>,
): Table<V> {
  if (writes.length === 0) return table;
  const next = table.slice();
  // Which of the 32 branches were copied, as bits.
  let copied = 0;
  for (const [key, value] of writes) {
    const h = hash(key);
    const i = h & 31;
    const j = (h >>> 5) & 31;
    if ((copied & (1 << i)) === 0) {
      next[i] = (next[i] ?? new Array(WIDTH).fill(null)).slice();
      copied |= 1 << i;
    }
    const branch = next[i]!;
    branch[j] = withEntry(branch[j] ?? null, key, value);
    if (value === undefined && branch.every((leaf) => leaf === null)) {
      next[i] = null;
      copied &= ~(1 << i);
    }
  }
  return next;
}

/** A new leaf with `key` set in place (or removed); null when empty. */
function withEntry<V>(leaf: Leaf<V> | null, key: string, value: V | undefined): Leaf<V> | null {
  const index = leaf === null ? -1 : leaf.findIndex((entry) => entry[0] === key);
  const next = leaf === null ? [] : leaf.slice();
  if (value === undefined) {
    if (index >= 0) next.splice(index, 1);
  } else if (index >= 0) {
    next[index] = [key, value];
  } else {
    next.push([key, value]);
  }
  return next.length === 0 ? null : next;
}

/** Every entry, in a stable order (by hash slot, then insertion). */
export function* tableEntries<V>(table: Table<V>): Generator<[string, V]> {
  for (const branch of table) {
    if (branch === null) continue;
    for (const leaf of branch) {
      if (leaf !== null) yield* leaf;
    }
  }
}
