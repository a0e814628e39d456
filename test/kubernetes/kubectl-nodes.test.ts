import assert from 'node:assert/strict';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { field } from '../../src/kubernetes/simulator/objects.ts';
import {
  deployment,
  forEachKubectl,
  rolledOut,
  rows,
  simulate,
  waitFor,
} from './helpers/kubectl.ts';

const budget = (minAvailable: number) => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { minAvailable, selector: { matchLabels: { app: 'web' } } },
});

// cordon and uncordon; drain held back by a PodDisruptionBudget (the eviction's 429, retried by
// kubectl every 5 s) until the budget allows it; a node that goes NotReady.
forEachKubectl(
  'cordon, uncordon, drain against a disruption budget, and a NotReady node',
  async (t, minor) => {
    const { cluster, kubectl } = await simulate(t, minor);
    cluster.apply(deployment('web', { replicas: 2 }));
    cluster.apply(budget(2));
    await rolledOut(cluster, 'web');

    const cordon = await kubectl(['cordon', 'node-1']);
    assert.deepEqual(
      [cordon.code, cordon.stdout.trim()],
      [0, 'node/node-1 cordoned'],
      cordon.stderr,
    );
    assert.equal(
      field(cluster.store.get(TYPES.node, undefined, 'node-1'), 'spec', 'unschedulable'),
      true,
    );
    const nodes = await kubectl(['get', 'nodes']);
    assert.deepEqual(rows(nodes.stdout)[1]?.slice(0, 2), ['node-1', 'Ready,SchedulingDisabled']);
    const uncordon = await kubectl(['uncordon', 'node-1']);
    assert.deepEqual(
      [uncordon.code, uncordon.stdout.trim()],
      [0, 'node/node-1 uncordoned'],
      uncordon.stderr,
    );

    // Both pods must stay up (minAvailable 2), so the drain waits on the budget...
    const onNode2 = () =>
      cluster.store
        .list(TYPES.pod, 'shop')
        .filter((p) => field(p, 'spec', 'nodeName') === 'node-2');
    const victim = onNode2()[0]!.metadata.name;
    const drain = kubectl(['drain', 'node-2', '--ignore-daemonsets', '--timeout=90s']);
    await waitFor(
      'an eviction refused by the budget',
      () =>
        cluster.requests.entries((e) => e.path.endsWith('/eviction') && e.code === 429).length > 0,
    );
    const refused = cluster.requests.entries((e) => e.path.endsWith('/eviction'))[0]!;
    assert.deepEqual(refused.body, {
      kind: 'Eviction',
      apiVersion: 'policy/v1',
      metadata: { name: victim, namespace: 'shop', creationTimestamp: null },
      deleteOptions: {},
    });
    // ... until the budget is relaxed; then the retried eviction goes through.
    cluster.apply(budget(1));
    const drained = await drain;
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(
      drained.stderr,
      new RegExp(
        `error when evicting pods/"${victim}" -n "shop" \\(will retry after 5s\\): Cannot evict pod as it would violate the pod's disruption budget\\.`,
      ),
    );
    assert.match(drained.stdout, new RegExp(`pod/${victim} evicted`));
    assert.match(drained.stdout, /node\/node-2 drained/);
    assert.deepEqual(onNode2(), []);
    await rolledOut(cluster, 'web');
    assert.ok(
      cluster.store.list(TYPES.pod, 'shop').every((p) => field(p, 'spec', 'nodeName') === 'node-1'),
    );

    cluster.setNodeReady('node-1', false);
    const notReady = await kubectl(['get', 'node', 'node-1']);
    assert.deepEqual(rows(notReady.stdout)[1]?.slice(0, 2), ['node-1', 'NotReady']);
    await waitFor(
      'web unavailable with its node lost',
      () =>
        Number(
          field(
            cluster.store.get(TYPES.deployment, 'shop', 'web'),
            'status',
            'availableReplicas',
          ) ?? 0,
        ) === 0,
    );
  },
);
