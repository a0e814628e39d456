import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findCycles } from '../../src/config/dependency-cycles.ts';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

const cases: { name: string; edges: Record<string, string[]>; cycles: string[][] }[] = [
  { name: 'no cycle', edges: { a: ['b'], b: ['c'], c: [] }, cycles: [] },
  { name: 'a self-loop is not reported here', edges: { a: ['a'] }, cycles: [] },
  { name: 'unknown names are ignored', edges: { a: ['ghost'] }, cycles: [] },
  { name: 'two nodes', edges: { b: ['a'], a: ['b'] }, cycles: [['a', 'b', 'a']] },
  {
    name: 'the shortest way back from the first name',
    edges: { a: ['b', 'c'], b: ['c'], c: ['a'] },
    cycles: [['a', 'c', 'a']],
  },
  {
    name: 'one cycle per component, sorted',
    edges: { x: ['y'], y: ['x'], c: ['a'], a: ['b'], b: ['c'], z: ['x'] },
    cycles: [
      ['a', 'b', 'c', 'a'],
      ['x', 'y', 'x'],
    ],
  },
];

for (const c of cases) {
  test(c.name, () => assert.deepEqual(findCycles(graph(c.edges)), c.cycles));
}

// A chain as deep as the largest fleet mend is benchmarked with, ten times over: the search
// must not recurse once per service.
const chain = (n: number, closed: boolean) =>
  new Map(
    Array.from({ length: n }, (_, i) => {
      const name = `s${String(i).padStart(6, '0')}`;
      const next = i + 1 < n ? [`s${String(i + 1).padStart(6, '0')}`] : closed ? ['s000000'] : [];
      return [name, next] as const;
    }),
  );

test('a chain of 100,000 dependencies: no cycle, no stack overflow', () => {
  assert.deepEqual(findCycles(chain(100_000, false)), []);
});

test('a cycle through 100,000 services is found, whole', () => {
  const [cycle, ...others] = findCycles(chain(100_000, true));
  assert.deepEqual(others, []);
  assert.equal(cycle!.length, 100_001);
  assert.deepEqual(
    [cycle![0], cycle![1], cycle!.at(-2), cycle!.at(-1)],
    ['s000000', 's000001', 's099999', 's000000'],
  );
});
