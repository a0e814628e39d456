import { statSync } from 'node:fs';
import { StoreError } from './store-error.ts';

/** A file as the kernel knows it: the same path can name another file tomorrow. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

/** The identity of the file at `path` now; undefined when there is none. */
export function fileIdentity(path: string): FileIdentity | undefined {
  try {
    const { dev, ino } = statSync(path);
    return { dev, ino };
  } catch {
    return undefined;
  }
}

/**
 * A check that the file at `path` is still the one opened (same device and inode), for every call
 * of a store: a database file deleted (`rm`) or replaced (a restore by `mv`, a new file written in
 * its place) while SQLite holds it open still takes writes, into the old file, and mend would
 * report them recorded. Costs one stat (a few microseconds), no descriptor: opening and closing
 * the database file here would drop SQLite's locks on it.
 */
export function identityGuard(path: string): () => StoreError | undefined {
  const opened = fileIdentity(path);
  if (opened === undefined) return () => undefined;
  return () => {
    const now = fileIdentity(path);
    if (now !== undefined && now.dev === opened.dev && now.ino === opened.ino) return undefined;
    const what =
      now === undefined
        ? `was deleted while mend ran (the path names no file now)`
        : `was replaced while mend ran (it opened inode ${opened.ino}; the path names inode ${now.ino} now)`;
    return new StoreError(
      'replaced',
      path,
      `store ${path} ${what}: what mend records now would be lost with the old file, so it records nothing more; restart mend to begin a new store there, or restore the file first`,
    );
  };
}
