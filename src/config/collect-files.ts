import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from './config-error.ts';
import { CONFIG_LIMITS, type ConfigLimits } from './limits.ts';

const YAML_FILE = /\.ya?ml$/;

export interface CollectedFiles {
  files: string[];
  errors: ConfigError[];
}

/**
 * The config files named by `paths`: files as given, folders as their `*.yaml` / `*.yml` files
 * (one level, sorted, hidden ones skipped, like `kubectl apply -f DIR`). A file named twice
 * is read once, so it cannot collide with itself.
 */
export async function collectFiles(
  paths: readonly string[],
  limits: Pick<ConfigLimits, 'maxFiles'> = CONFIG_LIMITS,
): Promise<CollectedFiles> {
  const found = await Promise.all(paths.map(expand));
  const files: string[] = [];
  const errors: ConfigError[] = [];
  const seen = new Set<string>();
  for (const result of found) {
    errors.push(...result.errors);
    for (const file of result.files) {
      const key = resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      files.push(file);
    }
  }
  if (files.length > limits.maxFiles) {
    const message = `expected at most ${limits.maxFiles} config files (the limit), found ${files.length}: put several documents in one file (---)`;
    return { files: [], errors: [...errors, new ConfigError(first(paths), '', message)] };
  }
  return { files, errors };
}

async function expand(path: string): Promise<CollectedFiles> {
  const isFolder = await stat(path).then(
    (info) => info.isDirectory(),
    () => false, // Missing or unreadable: reading it as a file reports why.
  );
  if (!isFolder) return { files: [path], errors: [] };
  let names: string[];
  try {
    names = await readdir(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    const problem = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    return {
      files: [],
      errors: [
        new ConfigError({ file: path, line: 0, col: 0 }, '', `cannot read folder: ${problem}`),
      ],
    };
  }
  const files = names
    .filter((name) => YAML_FILE.test(name) && !name.startsWith('.'))
    .sort()
    .map((name) => join(path, name));
  if (files.length > 0) return { files, errors: [] };
  const message = 'expected *.yaml or *.yml files in this folder, found none';
  return { files: [], errors: [new ConfigError({ file: path, line: 0, col: 0 }, '', message)] };
}

function first(paths: readonly string[]) {
  return { file: paths[0] ?? '.', line: 0, col: 0 };
}
