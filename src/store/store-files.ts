import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { classifyFolderError } from './sqlite-errors.ts';

/** Creates the folder of a store file (and of its lock) when it is missing. */
export async function createFolder(path: string): Promise<void> {
  const folder = dirname(resolve(path));
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw classifyFolderError(error, folder, path);
  }
}
