import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import {
  RESTARTED_AT,
  restartDeployment,
  scaleDeployment,
  undoDeployment,
} from '../../src/kubernetes/actions/deployments.ts';
import { markOf } from '../../src/kubernetes/actions/marks.ts';
import { drainNode, setSchedulable } from '../../src/kubernetes/actions/nodes.ts';
import { KubeClient } from '../../src/kubernetes/client/kube-client.ts';
import { clientNode } from '../../src/kubernetes/client/load-config.ts';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { field } from '../../src/kubernetes/simulator/objects.ts';
import type { LoggedRequest } from '../../src/kubernetes/simulator/request-log.ts';
import type { SimulatedCluster } from '../../src/kubernetes/simulator/simulated-cluster.ts';
import { deployment, KUBECTL_DIR, MINORS, rolledOut, simulate } from './helpers/kubectl.ts';
import { setImage } from './helpers/mend-cluster.ts';

// The same action done by real kubectl on one simulated cluster and by mend on a twin: the
// requests that change something (method, path, content type, body but for the timestamp, the
// field manager and mend's mark) and the objects they leave must be the same.
const MINOR = MINORS.at(-1)!;
const BINARY = join(KUBECTL_DIR, `kubectl.1.${MINOR}`);

async function twins(t: TestContext) {
  const ofKubectl = await simulate(t, MINOR);
  const ofMend = await simulate(t, MINOR);
  for (const { cluster } of [ofKubectl, ofMend]) {
    cluster.apply(deployment('web', { replicas: 2 }));
    await rolledOut(cluster, 'web');
    cluster.requests.clear();
  }
  const { KubeConfig } = await clientNode();
  const kc = new KubeConfig();
  kc.loadFromString(ofMend.cluster.kubeconfig({ namespace: 'shop' }));
  const client = new KubeClient(kc);
  t.after(() => client.close());
  return { kubectl: ofKubectl.kubectl, theirs: ofKubectl.cluster, ours: ofMend.cluster, client };
}

/** The writes of a request log, as comparable text: no discovery, no reads. */
function writes(
  cluster: SimulatedCluster,
): { what: string; body: unknown; query: Record<string, string> }[] {
  return cluster.requests
    .entries((e: LoggedRequest) => e.method !== 'GET')
    .map((e) => ({
      what: `${e.method} ${e.path} ${e.contentType ?? ''}`.trim(),
      body: e.body,
      query: e.query,
    }));
}

/** A body without what may differ: mend's mark (metadata.annotations mend.dev/*), timestamps. */
function comparable(body: unknown): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  const metadata = copy.metadata as { annotations?: Record<string, string> } | undefined;
  if (metadata?.annotations) {
    for (const key of Object.keys(metadata.annotations))
      if (key.startsWith('mend.dev/')) delete metadata.annotations[key];
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  }
  if (metadata && Object.keys(metadata).length === 0) delete copy.metadata;
  const template = field(copy, 'spec', 'template', 'metadata', 'annotations') as
    | Record<string, string>
    | undefined;
  if (template?.[RESTARTED_AT]) template[RESTARTED_AT] = 'TIME';
  return copy;
}

const mark = (step: string) => markOf(`inc-1:heal:1:${step}:1`, 'inc-1', 'test');
const signal = () => AbortSignal.timeout(60_000);
const web = { namespace: 'shop', name: 'web' };

test(`mend does what kubectl 1.${MINOR} does: restart, undo, scale, cordon, drain`, async (t) => {
  if (!existsSync(BINARY)) {
    t.skip(`${BINARY} not found (set KUBECTL_DIR to the folder of the kubectl.1.NN binaries)`);
    return;
  }
  const { kubectl, theirs, ours, client } = await twins(t);

  // rollout restart: one strategic merge patch of the template's restartedAt.
  assert.equal((await kubectl(['rollout', 'restart', 'deployment/web'])).code, 0);
  await restartDeployment(client, web, mark('steps:0'), new Date(), signal());
  const [k, m] = [writes(theirs), writes(ours)];
  assert.deepEqual(
    m.map((w) => w.what),
    k.map((w) => w.what),
  );
  assert.deepEqual(comparable(m[0]!.body), comparable(k[0]!.body));
  assert.deepEqual(
    [k[0]!.query.fieldManager, m[0]!.query.fieldManager],
    ['kubectl-rollout', 'mend'],
  );
  for (const c of [theirs, ours]) await rolledOut(c, 'web');
  const generation = (c: SimulatedCluster) =>
    c.store.get(TYPES.deployment, 'shop', 'web')!.metadata.generation;
  assert.equal(generation(ours), generation(theirs));

  // rollout undo after a new image: the same JSON patch operations, the same revisions after.
  for (const c of [theirs, ours]) {
    setImage(c, 'shop/web:2.0');
    await rolledOut(c, 'web');
    c.requests.clear();
  }
  assert.equal((await kubectl(['rollout', 'undo', 'deployment/web'])).code, 0);
  await undoDeployment(client, web, 0, false, mark('steps:1'), new Date(), signal());
  const [ku, mu] = [writes(theirs), writes(ours)];
  assert.deepEqual(
    mu.map((w) => w.what),
    ku.map((w) => w.what),
  );
  const ops = (body: unknown) =>
    (body as { op: string; path: string; value: unknown }[]).map((o) => ({
      ...o,
      value: comparable(
        o.path === '/metadata/annotations' ? { metadata: { annotations: o.value } } : o.value,
      ),
    }));
  // kubectl's template carries creationTimestamp: null (Go's zero time); the server drops it.
  const undoBody = (body: unknown) =>
    JSON.parse(JSON.stringify(ops(body)).replaceAll('"creationTimestamp":null,', ''));
  assert.deepEqual(undoBody(mu[0]!.body), undoBody(ku[0]!.body));
  for (const c of [theirs, ours]) await rolledOut(c, 'web');
  const state = (c: SimulatedCluster) => {
    const d = c.store.get(TYPES.deployment, 'shop', 'web')!;
    return [
      d.metadata.annotations?.['deployment.kubernetes.io/revision'],
      field(d, 'spec', 'template', 'spec', 'containers', '0', 'image'),
    ];
  };
  assert.deepEqual(state(ours), state(theirs));

  // scale: a merge patch of the scale subresource (mend then marks the Deployment).
  for (const c of [theirs, ours]) c.requests.clear();
  assert.equal((await kubectl(['scale', 'deployment/web', '--replicas=3'])).code, 0);
  await scaleDeployment(client, web, 3, mark('steps:2'), new Date(), signal());
  const [ks, ms] = [writes(theirs), writes(ours)];
  assert.deepEqual(ms[0], { ...ks[0]!, query: ms[0]!.query });
  assert.equal(ms.length, 2, 'the scale, then the mark');

  // cordon, then drain of the other node: the same node patch, the same eviction bodies.
  for (const c of [theirs, ours]) {
    await rolledOut(c, 'web');
    c.requests.clear();
  }
  assert.equal((await kubectl(['cordon', 'node-1'])).code, 0);
  await setSchedulable(client, 'node-1', true, mark('steps:3'), new Date(), signal());
  assert.deepEqual(comparable(writes(ours)[0]!.body), comparable(writes(theirs)[0]!.body));
  for (const c of [theirs, ours]) c.requests.clear();
  const drained = await kubectl(['drain', 'node-2', '--ignore-daemonsets', '--timeout=60s']);
  assert.equal(drained.code, 0, drained.stderr);
  await drainNode(
    client,
    'node-2',
    { force: false, deleteEmptyDirData: false, retryMs: 1000 },
    mark('steps:4'),
    new Date(),
    signal(),
  );
  // How many pods the scheduler put on node-2 may differ between the twins: each eviction is
  // compared (its body naming its pod), and each node left empty of them.
  const evictions = (c: SimulatedCluster) => {
    const shapes = writes(c)
      .filter((w) => w.what.includes('/eviction'))
      .map((w) => {
        const pod = /pods\/([^/]+)\/eviction/.exec(w.what)![1]!;
        assert.equal(field(w.body, 'metadata', 'name'), pod);
        return JSON.stringify({
          ...w,
          body: { ...(w.body as object), metadata: { name: 'P', namespace: 'shop' } },
          what: w.what.replace(pod, 'P'),
        });
      });
    return [...new Set(shapes)];
  };
  assert.equal(evictions(theirs).length, 1, 'one shape of eviction');
  assert.deepEqual(evictions(ours), evictions(theirs));
  const onNode2 = (c: SimulatedCluster) =>
    c.store.list(TYPES.pod, 'shop').filter((p) => field(p, 'spec', 'nodeName') === 'node-2');
  assert.deepEqual([onNode2(ours).length, onNode2(theirs).length], [0, 0]);
  const unschedulable = (c: SimulatedCluster, n: string) =>
    field(c.store.get(TYPES.node, undefined, n), 'spec', 'unschedulable');
  assert.deepEqual(
    [unschedulable(ours, 'node-1'), unschedulable(ours, 'node-2')],
    [unschedulable(theirs, 'node-1'), unschedulable(theirs, 'node-2')],
  );
});
