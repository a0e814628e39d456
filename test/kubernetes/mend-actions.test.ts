import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import {
  RESTARTED_AT,
  restartDeployment,
  scaleDeployment,
  undoDeployment,
} from '../../src/kubernetes/actions/deployments.ts';
import {
  describeDeployment,
  objectEvents,
  podLogs,
  podsToRead,
} from '../../src/kubernetes/actions/evidence.ts';
import { MARK, markOf } from '../../src/kubernetes/actions/marks.ts';
import { drainNode, setSchedulable } from '../../src/kubernetes/actions/nodes.ts';
import { deletePod } from '../../src/kubernetes/actions/pods.ts';
import { waitForRollout } from '../../src/kubernetes/actions/wait-rollout.ts';
import { KubeApiError } from '../../src/kubernetes/client/api-error.ts';
import { KUBE_USER_AGENT, KubeClient } from '../../src/kubernetes/client/kube-client.ts';
import { loadKubeConfig } from '../../src/kubernetes/client/load-config.ts';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { field } from '../../src/kubernetes/simulator/objects.ts';
import type {
  ClusterOptions,
  SimulatedCluster,
} from '../../src/kubernetes/simulator/simulated-cluster.ts';
import { deployment, rolledOut, waitFor } from './helpers/kubectl.ts';
import { budget, CRASH, imageOf, setImage, startCluster } from './helpers/mend-cluster.ts';

/** A simulated cluster and mend's client of it, through a kubeconfig file as mend reads it. */
async function start(t: TestContext, options: ClusterOptions = {}) {
  const { cluster, dir, kubeconfig } = await startCluster(t, options);
  const kc = await loadKubeConfig(undefined, {
    env: { KUBECONFIG: kubeconfig },
    home: dir,
    inClusterPrefix: dir,
  });
  const client = new KubeClient(kc);
  t.after(() => client.close());
  return { cluster, client, dir };
}

const web = { namespace: 'shop', name: 'web' };
const mark = (step = 'steps:0') => markOf(`inc-3:heal:1:${step}:1`, 'inc-3', 'test');
const signal = () => AbortSignal.timeout(60_000);
/** What mend's client sent, in kubectl's terms: method, path, content type (discovery aside). */
const shape = (cluster: SimulatedCluster) =>
  cluster.requests
    .entries()
    .map(
      (e) =>
        `${e.method} ${e.path}${e.verb === 'watch' ? ' (watch)' : ''}${e.contentType && e.method !== 'GET' ? ` ${e.contentType}` : ''}`,
    );

test('rollout restart and status: the requests kubectl sends, the mark, one restart even when run again', async (t) => {
  const { cluster, client } = await start(t);
  cluster.apply(deployment('web'));
  await rolledOut(cluster, 'web');
  cluster.requests.clear();

  const first = await restartDeployment(client, web, mark(), new Date(), signal());
  assert.equal(first.changed, true);
  const status = await waitForRollout(client, web, signal());
  assert.equal(status.state.kind, 'done', status.lines.join('\n'));
  assert.equal(status.lines.at(-1), 'deployment "web" successfully rolled out');
  assert.ok(
    status.lines.some((l) => l.startsWith('Waiting for deployment "web" rollout to finish')),
    status.lines.join('\n'),
  );

  // kubectl: GET, PATCH (strategic merge, its fieldManager), then list + watch by field selector.
  const sent = shape(cluster);
  assert.deepEqual(sent.slice(0, 4), [
    'GET /apis/apps/v1/namespaces/shop/deployments/web',
    'PATCH /apis/apps/v1/namespaces/shop/deployments/web application/strategic-merge-patch+json',
    'GET /apis/apps/v1/namespaces/shop/deployments',
    'GET /apis/apps/v1/namespaces/shop/deployments (watch)',
  ]);
  const [, patch, list, watch] = cluster.requests.entries();
  assert.equal(patch?.query.fieldManager, 'mend');
  assert.match(
    String(field(patch?.body, 'spec', 'template', 'metadata', 'annotations', RESTARTED_AT)),
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
  );
  assert.equal(list?.query.fieldSelector, 'metadata.name=web');
  assert.equal(watch?.query.allowWatchBookmarks, 'true');
  assert.equal(watch?.query.fieldSelector, 'metadata.name=web');
  assert.ok(cluster.requests.entries().every((e) => e.userAgent === KUBE_USER_AGENT));
  assert.match(KUBE_USER_AGENT, /^mend\/\d+\.\d+\.\d+ /);

  const object = cluster.store.get(TYPES.deployment, 'shop', 'web')!;
  assert.equal(object.metadata.annotations?.[MARK.heal], 'inc-3:heal:1');
  assert.equal(object.metadata.annotations?.[MARK.step], 'steps:0');
  assert.equal(object.metadata.annotations?.[MARK.incident], 'inc-3');
  assert.equal(object.metadata.generation, 2);

  // The same step run again (resumed after a crash): it sees its mark and does not patch.
  const again = await restartDeployment(client, web, mark(), new Date(), signal());
  assert.equal(again.changed, false);
  assert.equal(cluster.requests.entries((e) => e.method === 'PATCH').length, 1);
  // Another heal restarts.
  const other = await restartDeployment(
    client,
    web,
    markOf('inc-4:heal:1:steps:0:1', 'inc-4', 'test'),
    new Date(Date.now() + 1000),
    signal(),
  );
  assert.equal(other.changed, true);
  assert.equal(cluster.store.get(TYPES.deployment, 'shop', 'web')!.metadata.generation, 3);
});

test('rollout status survives cut watches (watched again from the last version) and 410 (listed again)', async (t) => {
  const { cluster, client } = await start(t);
  cluster.apply(deployment('web'));
  await rolledOut(cluster, 'web');
  cluster.faults.add({
    match: { verb: 'watch', resource: 'deployments' },
    action: { cutWatchAfterEvents: 1 },
  });
  await restartDeployment(client, web, mark(), new Date(), signal());
  const cut = await waitForRollout(client, web, signal());
  assert.equal(cut.state.kind, 'done', cut.lines.join('\n'));
  assert.ok(cut.watches >= 2, `watched again: ${cut.watches}`);
  const resumed = cluster.requests.entries((e) => e.verb === 'watch');
  assert.ok(
    resumed.every(
      (e, i) => i === 0 || e.query.resourceVersion !== resumed[0]!.query.resourceVersion,
    ),
  );
  cluster.faults.clear();
  await rolledOut(cluster, 'web');

  cluster.faults.add({
    match: { verb: 'watch', resource: 'deployments' },
    times: 1,
    action: { expireWatch: true },
  });
  await restartDeployment(client, web, mark('steps:1'), new Date(Date.now() + 1000), signal());
  const expired = await waitForRollout(client, web, signal());
  assert.equal(expired.state.kind, 'done', expired.lines.join('\n'));
  assert.equal(expired.relists, 1);
  cluster.faults.clear();
  await rolledOut(cluster, 'web');

  // A watch whose connection is reset mid-way: watched again, still done.
  cluster.faults.add({
    match: { verb: 'watch', resource: 'deployments' },
    times: 1,
    action: { reset: true },
  });
  await restartDeployment(client, web, mark('steps:2'), new Date(Date.now() + 2000), signal());
  const reset = await waitForRollout(client, web, signal());
  assert.equal(reset.state.kind, 'done', reset.lines.join('\n'));
});

test('rollout status fails on ProgressDeadlineExceeded, and at its deadline with the last state', async (t) => {
  const { cluster, client } = await start(t, {
    behaviours: [{ image: 'shop/web:broken', behaviour: CRASH }],
  });
  cluster.apply(deployment('web', { progressDeadlineSeconds: 2 }));
  await rolledOut(cluster, 'web');
  setImage(cluster, 'shop/web:broken');
  const short = await waitForRollout(client, web, AbortSignal.timeout(500));
  assert.equal(short.state.kind, 'failed');
  assert.match(short.state.message, /waiting for the rollout: Waiting for deployment/);
  const status = await waitForRollout(client, web, signal());
  assert.deepEqual(status.state, {
    kind: 'failed',
    message: 'deployment "web" exceeded its progress deadline',
  });
});

test('rollout undo: kubectl’s algorithm, back to the good revision; resumed, it does not undo the undo', async (t) => {
  const { cluster, client } = await start(t, {
    behaviours: [{ image: 'shop/web:broken', behaviour: CRASH }],
  });
  cluster.apply(deployment('web'));
  await rolledOut(cluster, 'web');
  setImage(cluster, 'shop/web:broken');
  await waitFor(
    'revision 2',
    () =>
      cluster.store.get(TYPES.deployment, 'shop', 'web')?.metadata.annotations?.[
        'deployment.kubernetes.io/revision'
      ] === '2',
  );
  cluster.requests.clear();

  const undo = await undoDeployment(client, web, 0, false, mark(), new Date(), signal());
  assert.equal(undo.message, 'deployment.apps/web rolled back to revision 1');
  assert.deepEqual(shape(cluster), [
    'GET /apis/apps/v1/namespaces/shop/deployments/web',
    'GET /apis/apps/v1/namespaces/shop/replicasets',
    'PATCH /apis/apps/v1/namespaces/shop/deployments/web application/json-patch+json',
  ]);
  const [, rsList, patch] = cluster.requests.entries();
  assert.equal(rsList?.query.labelSelector, 'app=web');
  assert.deepEqual(
    ((patch?.body ?? []) as { op: string; path: string }[]).map((o) => `${o.op} ${o.path}`),
    ['replace /spec/template', 'replace /metadata/annotations'],
  );
  await rolledOut(cluster, 'web');
  const after = cluster.store.get(TYPES.deployment, 'shop', 'web')!;
  assert.equal(
    field(after, 'spec', 'template', 'spec', 'containers', '0', 'image'),
    'shop/web:1.0',
  );
  assert.equal(after.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.equal(after.metadata.annotations?.[MARK.heal], 'inc-3:heal:1');
  // Resumed: without the mark, "the previous revision" would now be the broken one.
  const again = await undoDeployment(client, web, 0, false, mark(), new Date(), signal());
  assert.equal(again.changed, false);
  assert.equal(imageOf(cluster), 'shop/web:1.0');
  await assert.rejects(
    undoDeployment(client, web, 9, false, mark('steps:1'), new Date(), signal()),
    /unable to find revision 9/,
  );
});

test('scale through the subresource, cordon and uncordon, delete pod', async (t) => {
  const { cluster, client } = await start(t);
  cluster.apply(deployment('web'));
  await rolledOut(cluster, 'web');
  cluster.requests.clear();
  const scaled = await scaleDeployment(client, web, 3, mark(), new Date(), signal());
  assert.equal(scaled.message, 'deployment.apps/web scaled from 2 to 3');
  const scalePatch = cluster.requests.entries((e) => e.path.endsWith('/scale'))[0];
  assert.deepEqual(
    [scalePatch?.method, scalePatch?.contentType, scalePatch?.body],
    ['PATCH', 'application/merge-patch+json', { spec: { replicas: 3 } }],
  );
  await rolledOut(cluster, 'web');

  const cordon = await setSchedulable(
    client,
    'node-1',
    true,
    mark('steps:1'),
    new Date(),
    signal(),
  );
  assert.equal(cordon.message, 'node/node-1 cordoned');
  assert.equal(
    field(cluster.store.get(TYPES.node, undefined, 'node-1'), 'spec', 'unschedulable'),
    true,
  );
  assert.equal(
    cluster.store.get(TYPES.node, undefined, 'node-1')?.metadata.annotations?.[MARK.incident],
    'inc-3',
  );
  assert.equal(
    (await setSchedulable(client, 'node-1', true, mark('steps:1'), new Date(), signal())).message,
    'node/node-1 already cordoned',
  );
  assert.equal(
    (await setSchedulable(client, 'node-1', false, mark('steps:2'), new Date(), signal())).message,
    'node/node-1 uncordoned',
  );

  const victim = cluster.store.list(TYPES.pod, 'shop')[0]!;
  const deleted = await deletePod(
    client,
    { namespace: 'shop', name: victim.metadata.name },
    mark('steps:3'),
    { wait: true, gracePeriodSeconds: undefined },
    new Date(),
    signal(),
  );
  assert.match(deleted.message, /deleted and gone$/);
  assert.equal(cluster.store.get(TYPES.pod, 'shop', victim.metadata.name), undefined);
  const del = cluster.requests.entries((e) => e.method === 'DELETE')[0];
  assert.deepEqual(del?.body, {
    propagationPolicy: 'Background',
    preconditions: { uid: victim.metadata.uid },
  });
  const gone = await deletePod(
    client,
    { namespace: 'shop', name: victim.metadata.name },
    mark('steps:3'),
    { wait: true, gracePeriodSeconds: undefined },
    new Date(),
    signal(),
  );
  assert.equal(gone.changed, false);
});

test('drain: evictions a disruption budget refuses are asked again, then the drain fails at its deadline naming the budget', async (t) => {
  const { cluster, client } = await start(t);
  cluster.apply(deployment('web', { replicas: 2 }));
  cluster.apply(budget(2));
  await rolledOut(cluster, 'web');
  const onNode = cluster.store
    .list(TYPES.pod, 'shop')
    .find((p) => field(p, 'spec', 'nodeName') === 'node-2');
  assert.ok(onNode, 'a pod on node-2');
  const options = { force: false, deleteEmptyDirData: false, retryMs: 300 };
  await assert.rejects(
    drainNode(client, 'node-2', options, mark(), new Date(), AbortSignal.timeout(1500)),
    (err: Error) => {
      assert.match(
        err.message,
        /drain of node\/node-2 not done \(.*\): 1 pod\(s\) not evicted after \d+ refusal/,
      );
      assert.match(err.message, /Cannot evict pod as it would violate the pod's disruption budget/);
      return true;
    },
  );
  const evictions = cluster.requests.entries((e) => e.path.endsWith('/eviction'));
  assert.ok(evictions.length >= 2, `asked again: ${evictions.length}`);
  assert.ok(evictions.every((e) => e.code === 429));
  assert.deepEqual(evictions[0]?.body, {
    kind: 'Eviction',
    apiVersion: 'policy/v1',
    metadata: { name: onNode.metadata.name, namespace: 'shop' },
    deleteOptions: {},
  });
  // Once the budget allows it, the same drain (run again) goes through.
  cluster.apply(budget(1));
  const drained = await drainNode(client, 'node-2', options, mark(), new Date(), signal());
  assert.match(drained.message, /node\/node-2 drained$/);
  assert.equal(cluster.store.get(TYPES.pod, 'shop', onNode.metadata.name), undefined);
});

test('drain of a NotReady node: evicted with the grace given, its pods (never finished there) not waited for past skipWaitForDeleteTimeoutSeconds', async (t) => {
  const { cluster, client } = await start(t);
  cluster.apply(deployment('web', { replicas: 2 }));
  cluster.apply(budget(1));
  await rolledOut(cluster, 'web');
  const onNode = cluster.store
    .list(TYPES.pod, 'shop')
    .find((p) => field(p, 'spec', 'nodeName') === 'node-2');
  assert.ok(onNode, 'a pod on node-2');
  cluster.setNodeReady('node-2', false);
  const options = {
    force: false,
    deleteEmptyDirData: false,
    retryMs: 300,
    gracePeriodSeconds: 1,
    skipWaitForDeleteTimeoutSeconds: 1,
  };
  // Without the skip the drain would wait for ever: node-2's kubelet never finishes the pod.
  const drained = await drainNode(client, 'node-2', options, mark(), new Date(), signal());
  assert.match(
    drained.message,
    new RegExp(
      `pod/shop/${onNode.metadata.name} evicted\npod/shop/${onNode.metadata.name} deleted more than 1 s ago, not waited for\nnode/node-2 drained$`,
    ),
  );
  const evictions = cluster.requests.entries((e) => e.path.endsWith('/eviction'));
  assert.deepEqual(
    evictions.map((e) => [e.code, field(e.body, 'deleteOptions')]),
    [[201, { gracePeriodSeconds: 1 }]],
    'the unready pod counts toward no budget: evicted at once',
  );
  const left = cluster.store.get(TYPES.pod, 'shop', onNode.metadata.name);
  assert.ok(left?.metadata.deletionTimestamp, 'still Terminating on the lost node');
  // Run again, the pod deleted long ago is neither evicted again nor waited for.
  const again = await drainNode(client, 'node-2', options, mark(), new Date(), signal());
  assert.match(
    again.message,
    /node\/node-2 already cordoned\nignored shop\/.* \(deleted more than 1 s ago\)\nnode\/node-2 drained$/,
  );
  assert.equal(cluster.requests.entries((e) => e.path.endsWith('/eviction')).length, 1);
});

test('429 and 5xx with Retry-After are retried (bounded); 5xx without it fails at once; nothing doubled', async (t) => {
  const { cluster, client } = await start(t);
  cluster.apply(deployment('web'));
  await rolledOut(cluster, 'web');
  cluster.faults.add({
    match: { verb: 'patch', resource: 'deployments' },
    times: 2,
    action: { respond: { code: 429, retryAfterSeconds: 1 } },
  });
  cluster.faults.add({
    match: { verb: 'get', resource: 'deployments', name: 'web' },
    times: 1,
    action: { respond: { code: 503, retryAfterSeconds: 1 } },
  });
  const restarted = await restartDeployment(client, web, mark(), new Date(), signal());
  assert.equal(restarted.changed, true);
  const patches = cluster.requests.entries((e) => e.method === 'PATCH');
  assert.deepEqual(
    patches.map((e) => e.code),
    [429, 429, 200],
  );
  assert.ok(patches[1]!.at - patches[0]!.at >= 900, 'Retry-After honoured');
  assert.equal(cluster.store.get(TYPES.deployment, 'shop', 'web')!.metadata.generation, 2);

  cluster.faults.add({
    match: { verb: 'get', resource: 'deployments', name: 'web' },
    times: 1,
    action: { respond: { code: 500 } },
  });
  await assert.rejects(
    restartDeployment(client, web, mark('steps:1'), new Date(), signal()),
    (err: unknown) => err instanceof KubeApiError && err.status === 500,
  );
  cluster.faults.add({
    match: { verb: 'patch', resource: 'deployments' },
    action: { respond: { code: 429, retryAfterSeconds: 0 } },
  });
  await assert.rejects(
    restartDeployment(client, web, mark('steps:2'), new Date(), signal()),
    (err: unknown) => err instanceof KubeApiError && err.status === 429,
  );
  assert.equal(
    cluster.requests.entries((e) => e.method === 'PATCH' && e.code === 429).length,
    2 + 10,
    'ten attempts at most',
  );
  assert.equal(cluster.store.get(TYPES.deployment, 'shop', 'web')!.metadata.generation, 2);
});

test('evidence: previous container logs of a crash loop, events, a description', async (t) => {
  const { cluster, client } = await start(t, {
    behaviours: [
      {
        image: 'shop/web:1.0',
        behaviour: CRASH,
        logs: ['boot', 'password=hunter22 loaded', 'cannot reach db'],
      },
    ],
  });
  cluster.apply(deployment('web', { replicas: 1 }));
  await waitFor('a restart', () =>
    cluster.store
      .list(TYPES.pod, 'shop')
      .some((p) => Number(field(p, 'status', 'containerStatuses', '0', 'restartCount')) > 0),
  );
  const pods = await podsToRead(client, { namespace: 'shop', deployment: 'web' }, 3, signal());
  const logs = await podLogs(
    client,
    pods,
    { container: undefined, tailLines: 50, previous: 'auto', maxBytes: 64 * 1024 },
    signal(),
  );
  assert.match(
    logs.text,
    /== pod\/web-[a-z0-9]+-[a-z0-9]+ container web \(previous instance: Error, exit 1\) ==\nboot\n/,
  );
  assert.ok(logs.logs.some((l) => l.previous && l.lines >= 3));
  const logRequest = cluster.requests.entries(
    (e) => e.path.endsWith('/log') && e.query.previous === 'true',
  )[0];
  assert.deepEqual([logRequest?.query.container, logRequest?.query.tailLines], ['web', '50']);
  const events = await objectEvents(client, web, 'Deployment', 10, 100, signal());
  assert.match(events.text, /ScalingReplicaSet/);
  assert.match(events.text, /Warning {2}BackOff {2}pod\/web-/);
  const described = await describeDeployment(client, web, signal());
  assert.match(described.text, /^deployment shop\/web: revision 1/);
  assert.match(
    described.text,
    /replica sets \(newest revision first\):\n {2}web-[a-z0-9]+ {2}revision 1/,
  );
  assert.match(described.text, /restarts [1-9]\d*.*last ended: Error \(exit 1\)/);
});

test('kubeconfig: KUBECONFIG, a named context, in-cluster, and none at all', async (t) => {
  const { cluster, dir } = await start(t);
  const path = join(dir, 'kubeconfig');
  await assert.rejects(
    loadKubeConfig('nope', { env: { KUBECONFIG: path }, home: dir, inClusterPrefix: dir }),
    /no context "nope" in the Kubernetes config \(it has mend-simulator\)/,
  );
  await assert.rejects(
    loadKubeConfig(undefined, { env: {}, home: dir, inClusterPrefix: dir }),
    /no Kubernetes config: set KUBECONFIG/,
  );
  // In a pod: the service account's token and CA, the API server from the environment.
  const sa = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(sa, { recursive: true });
  await writeFile(join(sa, 'token'), cluster.adminToken);
  await writeFile(join(sa, 'ca.crt'), cluster.caPem!);
  await writeFile(join(sa, 'namespace'), 'shop');
  const url = new URL(cluster.url);
  const saved = {
    host: process.env.KUBERNETES_SERVICE_HOST,
    port: process.env.KUBERNETES_SERVICE_PORT,
  };
  process.env.KUBERNETES_SERVICE_HOST = url.hostname;
  process.env.KUBERNETES_SERVICE_PORT = url.port;
  t.after(() => {
    for (const [k, v] of [
      ['KUBERNETES_SERVICE_HOST', saved.host],
      ['KUBERNETES_SERVICE_PORT', saved.port],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const kc = await loadKubeConfig(undefined, {
    env: { KUBERNETES_SERVICE_HOST: url.hostname },
    home: `${dir}/none`,
    inClusterPrefix: dir,
  });
  const inCluster = new KubeClient(kc);
  t.after(() => inCluster.close());
  const node = await inCluster.json<{ metadata: { name: string } }>({
    method: 'GET',
    path: '/api/v1/nodes/node-1',
    signal: signal(),
  });
  assert.equal(node.metadata.name, 'node-1');
});
