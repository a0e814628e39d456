import { resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { type FileIdentity, fileIdentity } from './file-identity.ts';
import { classifySqliteError } from './sqlite-errors.ts';
import { createFolder, createPrivateFile } from './store-files.ts';
import {
  currentOwner,
  describeOwner,
  isLockOwner,
  type LockOwner,
  type StoreLock,
  StoreLockedError,
} from './store-lock.ts';

/** The lock file of a store: beside it, `mend.db.lock`. */
export function lockPathOf(storePath: string): string {
  return `${storePath}.lock`;
}

/**
 * Takes the runner lock of an SQLite store: a small SQLite file beside it, opened in exclusive
 * locking mode, whose first write takes SQLite's exclusive file lock and keeps it until the
 * connection closes. It is an fcntl lock, so the kernel drops it when the process dies however
 * it dies (SIGKILL included): a stale lock cannot exist, and nothing has to be cleaned up. The
 * holder's details are written in the same transaction; a refused runner reads them with
 * `immutable=1`, which takes no lock. The file is never deleted: a runner that unlinked it on
 * its way out could let two others lock two different files.
 *
 * Limits: fcntl locks hold between processes of one host; on a network filesystem (NFS, SMB)
 * they may not be honoured, so keep the store on a local disk. Within this process, nothing may
 * open and close the lock file outside SQLite: closing any descriptor of a file drops every
 * fcntl lock the process holds on it (only a stat is safe).
 */
export async function acquireSqliteStoreLock(
  storePath: string,
  owner: LockOwner = currentOwner(),
): Promise<StoreLock> {
  if (storePath === ':memory:') return memoryLock(owner);
  const path = lockPathOf(resolve(storePath));
  await createFolder(path);
  await createPrivateFile(path);
  const context = { path, busyTimeoutMs: 0 };
  let database: DatabaseSync;
  try {
    database = new DatabaseSync(path, { timeout: 0 });
  } catch (error) {
    throw classifySqliteError(error, context) ?? error;
  }
  try {
    database.exec('pragma locking_mode = exclusive');
    database.exec('begin exclusive');
  } catch (error) {
    database.close();
    if (sqliteCode(error) === SQLITE_BUSY) throw refusal(storePath, path);
    throw classifySqliteError(error, context) ?? error;
  }
  try {
    database.exec('create table if not exists owner (details text not null)');
    database.exec('delete from owner');
    database.prepare('insert into owner (details) values (?)').run(JSON.stringify(owner));
    database.exec('commit');
  } catch (error) {
    database.close();
    throw classifySqliteError(error, context) ?? error;
  }
  return new SqliteStoreLock(database, path, owner, fileIdentity(path));
}

const SQLITE_BUSY = 5;

class SqliteStoreLock implements StoreLock {
  readonly owner: LockOwner;
  readonly #database: DatabaseSync;
  readonly #path: string;
  readonly #identity: FileIdentity | undefined;

  constructor(
    database: DatabaseSync,
    path: string,
    owner: LockOwner,
    identity: FileIdentity | undefined,
  ) {
    this.#database = database;
    this.#path = path;
    this.owner = owner;
    this.#identity = identity;
  }

  problem(): string | undefined {
    const now = fileIdentity(this.#path);
    if (now === undefined) {
      return `lock file ${this.#path} was deleted while mend ran: another mend could start on this store now`;
    }
    if (now.dev === this.#identity?.dev && now.ino === this.#identity.ino) return undefined;
    return `lock file ${this.#path} was replaced while mend ran: another mend could start on this store now`;
  }

  async release(): Promise<void> {
    if (!this.#database.isOpen) return;
    try {
      // Nobody holds it now; the details of a process gone would only mislead whoever looks.
      this.#database.exec('delete from owner');
    } catch {
      // A lock file that cannot be written any more: closing still lets go of the lock.
    }
    this.#database.close();
  }
}

/** A store in memory is this process's alone: nothing to keep out. */
function memoryLock(owner: LockOwner): StoreLock {
  return { owner, problem: () => undefined, release: async () => {} };
}

function refusal(storePath: string, lockPath: string): StoreLockedError {
  const owner = readOwner(lockPath);
  const who = owner
    ? describeOwner(owner)
    : 'its details could not be read (it may be starting right now)';
  return new StoreLockedError(
    `store ${storePath} is in use by another mend (${who}; lock ${lockPath}): one mend runs on a store at a time. Stop that one first, or pass --db to use another file. Commands that read the store, and approve, deny and breaker reset, work beside it.`,
    owner,
  );
}

/** The holder's details, read without taking any lock; undefined when they cannot be read. */
function readOwner(lockPath: string): LockOwner | undefined {
  const url = pathToFileURL(lockPath);
  url.search = '?immutable=1';
  let database: DatabaseSync | undefined;
  try {
    database = new DatabaseSync(url, { readOnly: true });
    const row = database.prepare('select details from owner limit 1').get();
    const details = typeof row?.details === 'string' ? JSON.parse(row.details) : undefined;
    return isLockOwner(details) ? details : undefined;
  } catch {
    return undefined;
  } finally {
    database?.close();
  }
}

function sqliteCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('errcode' in error)) return undefined;
  return typeof error.errcode === 'number' ? error.errcode & 0xff : undefined;
}
