import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { circles, type Edge, importEdges, type Rule, unitOf, violations } from './import-graph.ts';

/**
 * The shape of src/, as ARCHITECTURE.md draws it: layers from the top (the mend command) to the
 * bottom (support code that knows nothing of mend). A unit may import the units of any layer
 * below its own, never one beside or above it. Kept here, where a change to the shape has to be
 * made on purpose, and in ARCHITECTURE.md, which says why.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['cli'],
  ['api'],
  ['controller.ts'],
  ['controller-handle.ts'],
  ['demo', 'policy-test', 'replicas'],
  ['documents.ts', 'startup-summary.ts', 'store-watch.ts'],
  ['runbooks', 'notify'],
  ['incidents', 'decisions'],
  ['store'],
  ['policy'],
  ['signals'],
  ['kubernetes'],
  ['config'],
  ['secrets'],
  ['support'],
];

/** The pure core is narrower than its layer: config, and the Signal and Observation types. */
const OVERRIDES: Readonly<Record<string, Rule>> = {
  policy: { uses: ['config'], typesFrom: ['signals'] },
};

function rulesOf(layers: readonly (readonly string[])[]): Record<string, Rule> {
  const rules: Record<string, Rule> = {};
  layers.forEach((layer, i) => {
    for (const unit of layer) rules[unit] = OVERRIDES[unit] ?? { uses: layers.slice(i + 1).flat() };
  });
  return rules;
}

const SRC = resolve(import.meta.dirname, '../../src');

test('no import circle among the files of src/', async () => {
  const edges = await importEdges(SRC);
  assert.ok(edges.length > 300, `the scan must see the imports (saw ${edges.length})`);
  assert.deepEqual(circles(edges), []);
});

test('no import circle between the folders of src/, and every arrow points down the layers', async () => {
  const edges = await importEdges(SRC);
  const units = edges.map((e) => ({ from: unitOf(e.from), to: unitOf(e.to) }));
  assert.deepEqual(circles(units), []);
  assert.deepEqual(violations(edges, rulesOf(LAYERS)), []);
});

test('every folder and root file of src/ has its place in the layers', async () => {
  const edges = await importEdges(SRC);
  const placed = new Set(LAYERS.flat());
  const units = new Set(edges.flatMap((e) => [unitOf(e.from), unitOf(e.to)]));
  assert.deepEqual([...units].filter((unit) => !placed.has(unit)).sort(), []);
});

test('negative control: a circle and an arrow against the layers are found', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-imports-'));
  try {
    await mkdir(join(dir, 'config'));
    await mkdir(join(dir, 'cli'));
    await mkdir(join(dir, 'policy'));
    await writeFile(
      join(dir, 'config/a.ts'),
      "import { b } from '../cli/b.ts';\nexport const a = 1;\n",
    );
    await writeFile(
      join(dir, 'cli/b.ts'),
      "import { a } from '../config/a.ts';\nexport const b = a;\n",
    );
    await writeFile(
      join(dir, 'policy/p.ts'),
      "import type { S } from '../signals/s.ts';\nimport { t } from '../signals/t.ts';\nimport { c } from '../config/a.ts';\n",
    );
    const edges = await importEdges(dir);
    assert.deepEqual(circles(edges), [['cli/b.ts', 'config/a.ts']]);
    assert.deepEqual(circles(edges.map((e) => ({ from: unitOf(e.from), to: unitOf(e.to) }))), [
      ['cli', 'config'],
    ]);
    assert.deepEqual(violations(edges, rulesOf(LAYERS)), [
      'config/a.ts:1: config -> cli (against the direction of the layers)',
      'policy/p.ts:2: policy -> signals (types only: use `import type`)',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('negative control: a deep chain is walked without overflowing the stack', () => {
  const edges: Edge[] = [];
  for (let i = 0; i < 50_000; i++) {
    edges.push({ from: `f${i}.ts`, to: `f${i + 1}.ts`, typeOnly: false, line: 1 });
  }
  assert.deepEqual(circles(edges), []);
  edges.push({ from: 'f50000.ts', to: 'f0.ts', typeOnly: false, line: 1 });
  assert.equal(circles(edges)[0]?.length, 50_001);
});
