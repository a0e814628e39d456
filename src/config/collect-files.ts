import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from './config-error.ts';
import { CONFIG_LIMITS, type ConfigLimits } from './limits.ts';

const YAML_FILE = /\.ya?ml$/;
/** `mend test` files (docs/policy-tests.md): not config, though they sit beside it. */
const TEST_FILE = /\.test\.ya?ml$/;

export interface CollectedFiles {
  files: string[];
  errors: ConfigError[];
  /** What was left out, and why (policy test files in a folder). */
  notes: string[];
}

/**
 * The config files named by `paths`: files as given, folders as their `*.yaml` / `*.yml` files
 * (one level, sorted, hidden ones skipped, like `kubectl apply -f DIR`). Policy test files
 * (`*.test.yaml`) are skipped in a folder, with a note, and refused when named. A file named twice
 * is read once, so it cannot collide with itself.
 */
export async function collectFiles(
  paths: readonly string[],
  limits: Pick<ConfigLimits, 'maxFiles'> = CONFIG_LIMITS,
): Promise<CollectedFiles> {
  const found = await Promise.all(paths.map(expand));
  const files: string[] = [];
  const errors: ConfigError[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const result of found) {
    errors.push(...result.errors);
    notes.push(...result.notes);
    for (const file of result.files) {
      const key = resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      files.push(file);
    }
  }
  if (files.length > limits.maxFiles) {
    const message = `expected at most ${limits.maxFiles} config files (the limit), found ${files.length}: put several documents in one file (---)`;
    return { files: [], errors: [...errors, new ConfigError(first(paths), '', message)], notes };
  }
  return { files, errors, notes };
}

async function expand(path: string): Promise<CollectedFiles> {
  const isFolder = await stat(path).then(
    (info) => info.isDirectory(),
    () => false, // Missing or unreadable: reading it as a file reports why.
  );
  const whole = { file: path, line: 0, col: 0 };
  if (!isFolder) {
    if (!TEST_FILE.test(path)) return { files: [path], errors: [], notes: [] };
    const message = `expected a config file, found a policy test file (*.test.yaml): run it with \`mend test ${path}\``;
    return { files: [], errors: [new ConfigError(whole, '', message)], notes: [] };
  }
  let entries: Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    const problem = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    return {
      files: [],
      errors: [new ConfigError(whole, '', `cannot read folder: ${problem}`)],
      notes: [],
    };
  }
  const visible = entries.filter((entry) => !entry.name.startsWith('.'));
  const yaml = visible.filter((entry) => YAML_FILE.test(entry.name)).map((entry) => entry.name);
  const tests = yaml.filter((name) => TEST_FILE.test(name)).sort();
  const files = yaml
    .filter((name) => !TEST_FILE.test(name))
    .sort()
    .map((name) => join(path, name));
  const notes = tests.map(
    (name) =>
      `${join(path, name)}: skipped, a policy test file (*.test.yaml): run it with \`mend test ${join(path, name)}\``,
  );
  if (files.length > 0) return { files, errors: [], notes };
  const folders = visible
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${entry.name}/`)
    .sort();
  let message: string = 'expected *.yaml or *.yml files in this folder, found none';
  if (tests.length > 0)
    message = `expected *.yaml or *.yml config files in this folder, found only policy test files (${tests.join(', ')}): run them with \`mend test\``;
  else if (folders.length > 0) {
    const shown = folders.length > 10 ? [...folders.slice(0, 10), '…'] : folders;
    message = `expected *.yaml or *.yml files in this folder, found only the folders ${shown.join(', ')} (folders are not searched: name the ones to load, e.g. -c ${join(path, folders[0]!)})`;
  }
  return { files: [], errors: [new ConfigError(whole, '', message)], notes: [] };
}

function first(paths: readonly string[]) {
  return { file: paths[0] ?? '.', line: 0, col: 0 };
}
