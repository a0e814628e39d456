import { constants, statSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { classifyFolderError } from './sqlite-errors.ts';

/**
 * The files of a store hold command output, evidence and what operators did: they are this
 * user's alone. A folder mend creates is 0700 and every file it creates 0600 (SQLite gives the
 * -wal, -shm and -journal files the mode of their database). Folders and files that exist are
 * left as they are: someone may have opened them to a group on purpose; `loosePermissions` says
 * so at start instead.
 */
export const FOLDER_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Creates the folder of a store file (and of its lock) when it is missing, 0700. */
export async function createFolder(path: string): Promise<void> {
  const folder = dirname(resolve(path));
  try {
    await mkdir(folder, { recursive: true, mode: FOLDER_MODE });
  } catch (error) {
    throw classifyFolderError(error, folder, path);
  }
}

/**
 * Creates the file empty, 0600, when it does not exist (SQLite would make it 0644). An existing
 * file is not opened at all: closing a descriptor of a database drops every lock this process
 * holds on it, and another connection here may hold one.
 */
export async function createPrivateFile(path: string): Promise<void> {
  try {
    const file = await open(
      path,
      constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY,
      FILE_MODE,
    );
    await file.close();
  } catch {
    // There already (EEXIST), or not possible here (a missing folder, no permission): SQLite
    // reports the latter when it opens the file, with its own classification.
  }
}

/** The files of a store (those that exist) that others than their owner may read or write. */
export function loosePermissions(paths: readonly string[]): string[] {
  const loose: string[] = [];
  for (const path of paths) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) loose.push(`${path} (mode ${mode.toString(8).padStart(4, '0')})`);
  }
  return loose;
}
