/**
 * Small helpers for records in engine state. Keys are removed by building a new record rather
 * than with `delete`: V8 turns an object that had a key deleted into a slow dictionary, and
 * every later copy of it pays for that.
 */
export function without<V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> {
  const next: Record<string, V> = {};
  for (const k in record) if (k !== key) next[k] = record[k]!;
  return next;
}

/** A copy keeping only the entries `keep` accepts. */
export function filterValues<V>(
  record: Readonly<Record<string, V>>,
  keep: (value: V) => boolean,
): Record<string, V> {
  const next: Record<string, V> = {};
  for (const k in record) if (keep(record[k]!)) next[k] = record[k]!;
  return next;
}
