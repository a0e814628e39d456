import { StoreError, type StoreErrorKind } from './store-error.ts';

/** Where the failing store lives and how long SQLite waited, for messages a person can act on. */
export interface SqliteErrorContext {
  path: string;
  busyTimeoutMs: number;
}

/**
 * SQLite's primary result codes that say something about the database rather than about mend's
 * SQL. node:sqlite reports them as `errcode` (sometimes extended, e.g. SQLITE_READONLY_CANTINIT =
 * 1544, hence the mask). See https://sqlite.org/rescode.html.
 */
const PRIMARY_CODES: Record<number, { name: string; kind: StoreErrorKind }> = {
  3: { name: 'SQLITE_PERM', kind: 'readonly' },
  5: { name: 'SQLITE_BUSY', kind: 'locked' },
  6: { name: 'SQLITE_LOCKED', kind: 'locked' },
  8: { name: 'SQLITE_READONLY', kind: 'readonly' },
  10: { name: 'SQLITE_IOERR', kind: 'unavailable' },
  11: { name: 'SQLITE_CORRUPT', kind: 'corrupt' },
  13: { name: 'SQLITE_FULL', kind: 'full' },
  14: { name: 'SQLITE_CANTOPEN', kind: 'unavailable' },
  26: { name: 'SQLITE_NOTADB', kind: 'corrupt' },
};

/**
 * Turns a node:sqlite error into a StoreError when it is a failure of the database; returns
 * undefined for everything else (a constraint or a bug in mend's SQL), which the caller rethrows.
 */
export function classifySqliteError(
  error: unknown,
  context: SqliteErrorContext,
): StoreError | undefined {
  const errcode = sqliteErrcode(error);
  if (errcode === undefined) return undefined;
  const code = PRIMARY_CODES[errcode & 0xff];
  if (code === undefined) return undefined;
  const said = `${code.name}: ${error instanceof Error ? error.message : String(error)}`;
  return new StoreError(code.kind, context.path, explain(code.kind, said, context), {
    cause: error,
  });
}

function explain(kind: StoreErrorKind, said: string, { path, busyTimeoutMs }: SqliteErrorContext) {
  switch (kind) {
    case 'locked':
      return `store ${path} is locked by another process (${said}, after ${busyTimeoutMs} ms): stop the other mend or pass --db to use another file`;
    case 'readonly':
      return `store ${path} cannot be written (${said}): make the file, its folder and its -wal/-shm files writable for this user, or pass --db to use another file`;
    case 'full':
      return `store ${path} is full (${said}): free space on its volume or raise its size cap, then retry; everything recorded before is kept`;
    case 'corrupt':
      return `store ${path} is not a usable mend database (${said}): if the file is not mend's, pass --db to use another file; if it is, move it aside and restore a backup (a missing file is created anew)`;
    case 'unavailable':
      return `store ${path} cannot be opened or read (${said}): check that the path names a file in an existing folder on a healthy volume, or pass --db to use another file`;
    case 'replaced':
      return `store ${path} is not the file it opened (${said}): restart mend to run on the file now at the path`;
  }
}

function sqliteErrcode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('errcode' in error)) return undefined;
  return typeof error.errcode === 'number' ? error.errcode : undefined;
}

/** The folder for a new store could not be created: same kinds, from the file system's errno. */
export function classifyFolderError(error: unknown, folder: string, path: string): StoreError {
  const errno = typeof error === 'object' && error !== null && 'code' in error ? error.code : '';
  const why = error instanceof Error ? error.message : String(error);
  if (errno === 'EROFS' || errno === 'EACCES' || errno === 'EPERM') {
    return new StoreError(
      'readonly',
      path,
      `store ${path} cannot be created: folder ${folder} is not writable (${why}): create it writable for this user, or pass --db to use another file`,
      { cause: error },
    );
  }
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    return new StoreError(
      'full',
      path,
      `store ${path} cannot be created: no space for folder ${folder} (${why}): free space on its volume, then retry`,
      { cause: error },
    );
  }
  return new StoreError(
    'unavailable',
    path,
    `store ${path} cannot be created: folder ${folder} cannot be made (${why}): pass --db with a path in a folder that exists or can be created`,
    { cause: error },
  );
}
