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
