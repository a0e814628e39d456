import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/kubernetes/simulator/api-status.ts';
import {
  applyPatch,
  jsonPatch,
  mergePatch,
  strategicMergePatch,
} from '../../src/kubernetes/simulator/patches.ts';

const pod = {
  spec: {
    containers: [
      {
        name: 'web',
        image: 'web:1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'sidecar', image: 'proxy:1' },
    ],
    finalizers: ['a'],
  },
};

test('strategic merge: lists with a merge key merge by it, $setElementOrder orders them, null and $patch delete', () => {
  // What `kubectl set image` sends.
  const patched = strategicMergePatch(pod, {
    spec: {
      '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }],
      containers: [
        {
          name: 'web',
          image: 'web:2',
          env: [
            { name: 'B', $patch: 'delete' },
            { name: 'C', value: '3' },
          ],
        },
      ],
    },
  }) as typeof pod;
  assert.deepEqual(
    patched.spec.containers.map((c) => [c.name, c.image]),
    [
      ['sidecar', 'proxy:1'],
      ['web', 'web:2'],
    ],
  );
  assert.deepEqual(patched.spec.containers[1]!.env, [
    { name: 'A', value: '1' },
    { name: 'C', value: '3' },
  ]);
  const dropped = strategicMergePatch(pod, {
    spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] },
  }) as typeof pod;
  assert.deepEqual(
    dropped.spec.containers.map((c) => c.name),
    ['web'],
  );
  const nulled = strategicMergePatch(
    { metadata: { annotations: { a: '1', b: '2' } } },
    { metadata: { annotations: { a: null } } },
  );
  assert.deepEqual(nulled, { metadata: { annotations: { b: '2' } } });
});

test('strategic merge: a list without a merge key is replaced, finalizers are a union, $retainKeys keeps only those keys', () => {
  const replaced = strategicMergePatch({ spec: { args: ['a', 'b'] } }, { spec: { args: ['c'] } });
  assert.deepEqual(replaced, { spec: { args: ['c'] } });
  const union = strategicMergePatch(pod, { spec: { finalizers: ['b', 'a'] } }) as typeof pod;
  assert.deepEqual(union.spec.finalizers, ['a', 'b']);
  const retained = strategicMergePatch(
    { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
    { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
  );
  assert.deepEqual(retained, { strategy: { type: 'Recreate' } });
});

test('merge patch (RFC 7386) and JSON patch (RFC 6902) including a failing test op', () => {
  assert.deepEqual(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] }), {
    a: { c: 2, d: 3 },
    l: [3],
  });
  const doc = { spec: { replicas: 1, template: { x: 1 } }, metadata: { annotations: { k: 'v' } } };
  const patched = jsonPatch(doc, [
    { op: 'test', path: '/spec/replicas', value: 1 },
    { op: 'replace', path: '/spec/template', value: { y: 2 } },
    { op: 'add', path: '/metadata/annotations/a~1b', value: 'c' },
    { op: 'remove', path: '/metadata/annotations/k' },
  ]);
  assert.deepEqual(patched, {
    spec: { replicas: 1, template: { y: 2 } },
    metadata: { annotations: { 'a/b': 'c' } },
  });
  assert.throws(
    () => jsonPatch(doc, [{ op: 'test', path: '/spec/replicas', value: 2 }]),
    (err: ApiError) =>
      err.status.code === 400 && /testing value \/spec\/replicas failed/.test(err.message),
  );
  assert.throws(
    () => jsonPatch(doc, [{ op: 'replace', path: '/spec/nope/deeper', value: 1 }]),
    ApiError,
  );
});

test('a patch type the simulator does not serve (server-side apply) is the 415', () => {
  assert.throws(
    () => applyPatch({}, 'application/apply-patch+yaml', {}),
    (err: ApiError) => err.status.code === 415 && err.status.reason === 'UnsupportedMediaType',
  );
});
