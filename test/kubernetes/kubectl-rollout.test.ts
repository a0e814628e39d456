import assert from 'node:assert/strict';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import {
  REVISION,
  REVISION_HISTORY,
} from '../../src/kubernetes/simulator/controllers/deployment-controller.ts';
import { field } from '../../src/kubernetes/simulator/objects.ts';
import {
  deployment,
  forEachKubectl,
  rolledOut,
  rows,
  simulate,
  waitFor,
} from './helpers/kubectl.ts';

// restart -> status -> history -> undo -> status -> history -> scale, with the simulator's state
// checked after each step: revisions, the re-used ReplicaSet, generation, the wire shape.
forEachKubectl('rollout restart, status, history, undo and scale', async (t, minor) => {
  const { cluster, kubectl } = await simulate(t, minor);
  cluster.apply(deployment('web'));
  await rolledOut(cluster, 'web');

  const restart = await kubectl(['rollout', 'restart', 'deployment/web']);
  assert.deepEqual(
    [restart.code, restart.stdout.trim()],
    [0, 'deployment.apps/web restarted'],
    restart.stderr,
  );
  const patch = cluster.requests.entries(
    (e) => e.method === 'PATCH' && e.command === 'kubectl rollout restart',
  )[0];
  assert.equal(patch?.contentType, 'application/strategic-merge-patch+json');
  assert.equal(patch?.query.fieldManager, 'kubectl-rollout');
  const restartedAt = field(
    patch?.body,
    'spec',
    'template',
    'metadata',
    'annotations',
    'kubectl.kubernetes.io/restartedAt',
  );
  assert.match(String(restartedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(cluster.store.get(TYPES.deployment, 'shop', 'web')?.metadata.generation, 2);

  const status = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  assert.equal(status.code, 0, status.stderr);
  const lines = status.stdout.trim().split('\n');
  assert.equal(lines.at(-1), 'deployment "web" successfully rolled out');
  // It waited: it printed progress before the end (the controller rolls pods over in steps).
  assert.ok(
    lines.some((l) => l.startsWith('Waiting for deployment "web" rollout to finish:')),
    status.stdout,
  );
  assert.ok(
    cluster.requests.entries((e) => e.command === 'kubectl rollout status' && e.verb === 'watch')
      .length >= 1,
  );

  const history = await kubectl(['rollout', 'history', 'deployment/web']);
  assert.deepEqual(
    rows(history.stdout)
      .slice(1)
      .map((r) => r[0]),
    ['REVISION', '1', '2'],
  );

  const undo = await kubectl(['rollout', 'undo', 'deployment/web']);
  assert.deepEqual(
    [undo.code, undo.stdout.trim()],
    [0, 'deployment.apps/web rolled back'],
    undo.stderr,
  );
  const undoPatch = cluster.requests.entries(
    (e) => e.method === 'PATCH' && e.command === 'kubectl rollout undo',
  )[0];
  assert.equal(undoPatch?.contentType, 'application/json-patch+json');
  const again = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  assert.equal(again.code, 0, again.stderr);
  await rolledOut(cluster, 'web');

  // The rollback re-used revision 1's ReplicaSet as revision 3, and remembers it was 1.
  const replicaSets = cluster.store.list(TYPES.replicaSet, 'shop');
  assert.equal(replicaSets.length, 2, 'no third ReplicaSet: the old one was re-used');
  const current = replicaSets.find((rs) => rs.metadata.annotations?.[REVISION] === '3');
  assert.equal(current?.metadata.annotations?.[REVISION_HISTORY], '1');
  const historyAfter = await kubectl(['rollout', 'history', 'deployment/web']);
  assert.deepEqual(
    rows(historyAfter.stdout)
      .slice(1)
      .map((r) => r[0]),
    ['REVISION', '2', '3'],
  );

  const scale = await kubectl(['scale', 'deployment/web', '--replicas=3']);
  assert.deepEqual(
    [scale.code, scale.stdout.trim()],
    [0, 'deployment.apps/web scaled'],
    scale.stderr,
  );
  const scalePatch = cluster.requests.entries(
    (e) => e.method === 'PATCH' && e.command === 'kubectl scale',
  )[0];
  assert.equal(scalePatch?.path, '/apis/apps/v1/namespaces/shop/deployments/web/scale');
  assert.equal(scalePatch?.contentType, 'application/merge-patch+json');
  await rolledOut(cluster, 'web');
  await waitFor(
    'three running pods',
    () =>
      cluster.store
        .list(TYPES.pod, 'shop')
        .filter((p) => p.metadata.deletionTimestamp === undefined).length === 3,
  );
});
