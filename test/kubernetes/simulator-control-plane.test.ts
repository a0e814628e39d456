import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import {
  REVISION,
  REVISION_HISTORY,
} from '../../src/kubernetes/simulator/controllers/deployment-controller.ts';
import { field, type KubeObject } from '../../src/kubernetes/simulator/objects.ts';
import { deploymentObject } from '../../src/kubernetes/simulator/scenario-run.ts';
import { SimulatedCluster } from '../../src/kubernetes/simulator/simulated-cluster.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

// The control plane on a fake clock: every step of a rollout is deterministic and instant.
async function stepped(t: { after(fn: () => Promise<void>): void }) {
  const clock = new FakeClock();
  const cluster = await SimulatedCluster.start({
    clock,
    tls: false,
    namespaces: ['shop'],
    behaviours: [
      {
        image: 'shop/web:broken',
        behaviour: { kind: 'crash', runForMs: 1000, exitCode: 1, reason: 'Error' },
      },
    ],
  });
  t.after(() => cluster.stop());
  return { cluster, clock };
}

const web = (image: string) =>
  deploymentObject({
    name: 'web',
    namespace: 'shop',
    replicas: 2,
    image,
    progressDeadlineSeconds: 30,
  });
const get = (cluster: SimulatedCluster) => cluster.store.get(TYPES.deployment, 'shop', 'web')!;
const condition = (d: KubeObject, type: string) =>
  ((d.status?.conditions ?? []) as { type: string; status: string; reason: string }[]).find(
    (c) => c.type === type,
  );
const revisions = (cluster: SimulatedCluster) =>
  cluster.store
    .list(TYPES.replicaSet, 'shop')
    .map((rs) => [
      field(rs, 'spec', 'template', 'spec', 'containers', '0', 'image'),
      rs.metadata.annotations?.[REVISION],
      rs.metadata.annotations?.[REVISION_HISTORY],
    ])
    .sort((a, b) => Number(a[1]) - Number(b[1]));

test('a deployment rolls out to its replicas, available and complete, with revision 1 on it and its ReplicaSet', async (t) => {
  const { cluster, clock } = await stepped(t);
  cluster.apply(web('shop/web:1.0'));
  await clock.advance(3000);
  const d = get(cluster);
  assert.deepEqual(
    [
      d.status?.observedGeneration,
      d.status?.replicas,
      d.status?.updatedReplicas,
      d.status?.availableReplicas,
    ],
    [1, 2, 2, 2],
  );
  assert.equal(condition(d, 'Available')?.reason, 'MinimumReplicasAvailable');
  assert.equal(condition(d, 'Progressing')?.reason, 'NewReplicaSetAvailable');
  assert.equal(d.metadata.annotations?.[REVISION], '1');
  assert.deepEqual(revisions(cluster), [['shop/web:1.0', '1', undefined]]);
  const pods = cluster.store.list(TYPES.pod, 'shop');
  assert.equal(pods.length, 2);
  assert.ok(
    pods.every(
      (p) =>
        field(p, 'status', 'phase') === 'Running' &&
        typeof field(p, 'spec', 'nodeName') === 'string',
    ),
  );
  assert.equal(cluster.controlPlaneError, undefined);
});

test('a bad image: old pods stay up within maxUnavailable, the new one crash-loops, and the progress deadline is exceeded', async (t) => {
  const { cluster, clock } = await stepped(t);
  cluster.apply(web('shop/web:1.0'));
  await clock.advance(3000);
  cluster.apply(web('shop/web:broken'));
  await clock.advance(10_000);
  const during = get(cluster);
  assert.equal(during.metadata.generation, 2);
  assert.equal(condition(during, 'Progressing')?.reason, 'ReplicaSetUpdated');
  assert.equal(
    during.status?.availableReplicas,
    2,
    'maxUnavailable 25% of 2 rounds down to 0: both old pods stay',
  );
  const broken = cluster.store
    .list(TYPES.pod, 'shop')
    .find((p) => field(p, 'spec', 'containers', '0', 'image') === 'shop/web:broken');
  assert.ok(Number(field(broken, 'status', 'containerStatuses', '0', 'restartCount')) >= 1);
  assert.equal(
    field(broken, 'status', 'containerStatuses', '0', 'lastState', 'terminated', 'exitCode'),
    1,
  );
  await clock.advance(31_000);
  const failed = get(cluster);
  assert.deepEqual(
    [condition(failed, 'Progressing')?.status, condition(failed, 'Progressing')?.reason],
    ['False', 'ProgressDeadlineExceeded'],
  );
  const events = cluster.store.list(TYPES.event, 'shop').filter((e) => e.reason === 'BackOff');
  assert.ok(
    events.length >= 1 && Number(events[0]!.count) >= 2,
    'repeated BackOff events are aggregated into one with a count',
  );
});

test('rolling back to an old template re-uses its ReplicaSet as the next revision and records the old number', async (t) => {
  const { cluster, clock } = await stepped(t);
  cluster.apply(web('shop/web:1.0'));
  await clock.advance(3000);
  cluster.apply(web('shop/web:2.0'));
  await clock.advance(5000);
  cluster.apply(web('shop/web:1.0'));
  await clock.advance(5000);
  assert.deepEqual(revisions(cluster), [
    ['shop/web:2.0', '2', undefined],
    ['shop/web:1.0', '3', '1'],
  ]);
  assert.equal(get(cluster).metadata.annotations?.[REVISION], '3');
  const pods = cluster.store.list(TYPES.pod, 'shop');
  assert.deepEqual(
    pods.map((p) => field(p, 'spec', 'containers', '0', 'image')),
    ['shop/web:1.0', 'shop/web:1.0'],
  );
});

test('a NotReady node: its pods lose readiness, the scheduler skips it, and new pods go elsewhere', async (t) => {
  const { cluster, clock } = await stepped(t);
  cluster.apply(web('shop/web:1.0'));
  await clock.advance(3000);
  cluster.setNodeReady('node-2', false);
  await clock.advance(500);
  assert.equal(get(cluster).status?.availableReplicas, 1);
  assert.equal(condition(get(cluster), 'Available')?.status, 'False');
  cluster.apply({ ...web('shop/web:1.0'), spec: { ...web('shop/web:1.0').spec, replicas: 3 } });
  await clock.advance(3000);
  const newest = cluster.store
    .list(TYPES.pod, 'shop')
    .sort((a, b) =>
      String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)),
    )
    .at(-1);
  assert.equal(field(newest, 'spec', 'nodeName'), 'node-1');
});
