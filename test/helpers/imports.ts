import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** One import of a source file, as written. */
export interface Import {
  specifier: string;
  /** Erased before the program runs (`import type`, or every named binding marked `type`). */
  typeOnly: boolean;
  /** `import('...')`: loaded when first needed, not when the importer loads. */
  dynamic: boolean;
  line: number;
}

/**
 * The imports of a TypeScript source, static and dynamic (`import('./x.ts')`, including the
 * type-level `typeof import(...)`). A regex reading, not a parser: good enough for this code base,
 * whose imports Biome keeps in one shape, and checked by the negative controls of the tests.
 */
export function importsOf(source: string): Import[] {
  const out: Import[] = [];
  const lineOf = (index: number) => source.slice(0, index).split('\n').length;
  const staticImport = /^(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const match of source.matchAll(staticImport)) {
    // `import { type A, type B } from` is type-only too.
    const braces = /\{([^}]*)\}/.exec(match[0])?.[1];
    const names = (braces ?? '').split(',').map((part) => part.trim());
    const allTypes =
      braces !== undefined && names.filter(Boolean).every((n) => n.startsWith('type '));
    // Only named imports in braces can all be types; a default or namespace import cannot.
    const namedOnly = /^(import|export)\s+\{/.test(match[0]);
    out.push({
      specifier: match[3]!,
      typeOnly: match[2] !== undefined || (namedOnly && allTypes),
      dynamic: false,
      line: lineOf(match.index),
    });
  }
  for (const match of source.matchAll(/(typeof\s+)?\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    out.push({
      specifier: match[2]!,
      typeOnly: match[1] !== undefined,
      dynamic: true,
      line: lineOf(match.index),
    });
  }
  return out;
}

/** Every .ts file under a folder, sorted. */
export async function tsFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
