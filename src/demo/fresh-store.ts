import { rename, rm } from 'node:fs/promises';

/** The SQLite files of a store: the database and its write-ahead log. */
const SUFFIXES = ['', '-wal', '-shm'];

/**
 * The demo tells the whole story on every run, so it starts on an empty store: the last run's
 * store is kept beside it as `NAME.previous.db` for inspection (`mend incidents list --db ...`),
 * replacing the one before. Resolves with the kept path, or undefined on a first run.
 */
export async function freshStore(path: string): Promise<string | undefined> {
  const previous = path.endsWith('.db') ? `${path.slice(0, -3)}.previous.db` : `${path}.previous`;
  for (const suffix of SUFFIXES) await rm(`${previous}${suffix}`, { force: true });
  let kept = false;
  for (const suffix of SUFFIXES) {
    try {
      await rename(`${path}${suffix}`, `${previous}${suffix}`);
      kept ||= suffix === '';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return kept ? previous : undefined;
}
