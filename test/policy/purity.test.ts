import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { importsOf, tsFilesUnder } from '../helpers/imports.ts';

/**
 * The decision engine must be pure: the same inputs give the same decisions, which is what makes
 * `mend test` and `mend replay` exact. This test reads every file under src/policy, and every
 * file those import at run time, and fails on anything that could read a clock, draw a random
 * number, do I/O or reach a module that can.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const POLICY = join(ROOT, 'src/policy');
const CONFIG = join(ROOT, 'src/config');

/** Packages a pure file may import at run time (all pure computation). */
// re2js: a regex engine, no clock, randomness or I/O (label matchers compile through it).
const PACKAGES = new Set(['@marcbachmann/cel-js', 'croner', 're2js']);
/** zod is pure too, but the engine only names its types; config files it reaches use it. */
const PACKAGES_OUTSIDE_POLICY = new Set(['zod']);
/** Type-only imports may also name these (erased before the program runs). */
const TYPE_ONLY = [
  CONFIG,
  join(ROOT, 'src/signals/signal.ts'),
  join(ROOT, 'src/signals/observation.ts'),
];

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bDate\.now\b/, 'Date.now (time comes from the input)'],
  [/\bnew Date\(\s*\)/, 'new Date() without an argument'],
  [/(?<!new\s+)(?<![.\w])Date\(\s*\)/, 'Date() (the current time as text)'],
  [/\bMath\.random\b/, 'Math.random'],
  [/\bcrypto\b/, 'crypto'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/, 'timers'],
  [/\bperformance\./, 'performance (a clock)'],
  [/\bprocess\./, 'process'],
  [/\bglobalThis\b/, 'globalThis'],
  [/\brequire\(/, 'require'],
  [/\bimport\(/, 'dynamic import'],
  [/\bfetch\(/, 'fetch'],
];

function isImportLine(text: string): boolean {
  return /^\s*import\b/.test(text) || /^\s*export\s.*\sfrom\s/.test(text);
}

/** Comments and string literals removed, so a word in a comment is not a finding. */
function code(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
}

async function findings(): Promise<{ problems: string[]; checked: string[] }> {
  const problems: string[] = [];
  const queue = await tsFilesUnder(POLICY);
  const seen = new Set<string>(queue);
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i]!;
    const inPolicy = file.startsWith(`${POLICY}/`);
    const name = relative(ROOT, file);
    const source = await readFile(file, 'utf8');
    const lines = code(source).split('\n');
    lines.forEach((text, index) => {
      for (const [pattern, what] of FORBIDDEN) {
        // Import lines are judged below, by what they import.
        if (pattern.test(text) && !isImportLine(text)) {
          problems.push(`${name}:${index + 1}: uses ${what}`);
        }
      }
    });
    for (const { specifier, typeOnly, line } of importsOf(source)) {
      const at = `${name}:${line}: imports ${specifier}`;
      if (specifier.startsWith('node:')) {
        problems.push(`${at} (a Node built-in)`);
        continue;
      }
      if (!specifier.startsWith('.')) {
        const allowed =
          PACKAGES.has(specifier) || (!inPolicy && PACKAGES_OUTSIDE_POLICY.has(specifier));
        if (!allowed && !(typeOnly && specifier === 'zod'))
          problems.push(`${at} (not a pure package)`);
        continue;
      }
      const target = resolve(dirname(file), specifier);
      if (typeOnly) {
        const ok =
          target.startsWith(`${POLICY}/`) ||
          TYPE_ONLY.some((allowed) => target === allowed || target.startsWith(`${allowed}/`));
        if (!ok)
          problems.push(
            `${at} (types may come from src/policy, src/config and the Signal types only)`,
          );
        continue;
      }
      if (!target.startsWith(`${POLICY}/`) && !target.startsWith(`${CONFIG}/`)) {
        problems.push(`${at} (run-time imports must stay in src/policy and src/config)`);
        continue;
      }
      // A run-time import outside src/policy must itself be pure: check it too.
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return { problems, checked: queue.map((file) => relative(ROOT, file)) };
}

test('src/policy and everything it runs are pure: no clock, randomness, I/O or impure imports', async () => {
  const { problems, checked } = await findings();
  assert.ok(checked.includes('src/policy/decide.ts'), 'the scan must see the engine');
  assert.ok(
    checked.includes('src/config/kinds/policy-when.ts'),
    'the scan must follow run-time imports into src/config',
  );
  assert.deepEqual(problems, []);
});

test('the purity scan finds what it looks for (negative control)', () => {
  const source = [
    "import { readFile } from 'node:fs/promises';",
    "import { x } from '../store/sqlite.ts';",
    'export const a = () => Date.now();',
    'const b = new Date();',
    'const c = Math.random();',
    'setTimeout(() => {}, 1);',
    '// Date.now() in a comment is fine',
    'const d = new Date(5);',
  ].join('\n');
  const lines = code(source).split('\n');
  const hits = lines.flatMap((text) =>
    FORBIDDEN.filter(([pattern]) => pattern.test(text) && !isImportLine(text)).map(
      ([, what]) => what,
    ),
  );
  assert.deepEqual(hits, [
    'Date.now (time comes from the input)',
    'new Date() without an argument',
    'Math.random',
    'timers',
  ]);
  assert.deepEqual(
    importsOf(source).map((i) => i.specifier),
    ['node:fs/promises', '../store/sqlite.ts'],
  );
  assert.deepEqual(
    importsOf(
      "import { type A, type B } from './a.ts';\nimport type { C } from './c.ts';\nimport { type D, e } from './d.ts';",
    ).map((i) => i.typeOnly),
    [true, true, false],
  );
});
