import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatErrors } from '../../src/config/config-error.ts';
import { loadMendConfig } from '../../src/documents.ts';

/** Files to create, by path relative to a fresh temp dir; a trailing '/' makes an empty folder. */
export type Files = Record<string, string | Uint8Array>;

export async function withFiles<T>(files: Files, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-config-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      if (name.endsWith('/')) await mkdir(join(dir, name), { recursive: true });
      else {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), content);
      }
    }
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Load `paths` (relative to the temp dir) and return the error lines with the dir cut off. */
export async function errorLines(files: Files, paths?: string[]): Promise<string[]> {
  return withFiles(files, async (dir) => {
    const result = await loadMendConfig((paths ?? Object.keys(files)).map((p) => join(dir, p)));
    if (result.errors.length === 0) return [];
    return formatErrors(result.errors)
      .split('\n')
      .map((line) => line.replaceAll(`${dir}/`, ''));
  });
}

/** A valid Service document; `spec` is indented YAML placed under `spec:`. */
export function service(name: string, spec = '  checks: []'): string {
  return `apiVersion: mend/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;
}
