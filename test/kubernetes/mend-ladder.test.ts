import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { field } from '../../src/kubernetes/simulator/objects.ts';
import { openStore } from '../../src/store/open.ts';
import { startFlakyServer } from '../helpers/flaky-server.ts';
import { MendProcess } from '../helpers/mend-process.ts';
import { startFrontDoor } from './helpers/front-door.ts';
import { deployment, rolledOut, waitFor } from './helpers/kubectl.ts';
import {
  budget,
  CRASH,
  imageOf,
  outcomeOf,
  resultsOf,
  setImage,
  startCluster,
  webServiceYaml,
} from './helpers/mend-cluster.ts';

/** A simulated cluster, the front door of shop/web, a pager, and `mend run` on a config. */
async function setUp(t: TestContext, config: (door: string, pager: string) => string) {
  const { cluster, dir, kubeconfig } = await startCluster(t, {
    behaviours: [{ image: 'shop/web:broken', behaviour: CRASH }],
  });
  const door = await startFrontDoor(cluster, 'web');
  const pages: Record<string, unknown>[] = [];
  const pager = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      pages.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => pager.listen(0, '127.0.0.1', resolve));
  const pagerUrl = `http://127.0.0.1:${(pager.address() as AddressInfo).port}/page`;
  const file = join(dir, 'mend.yaml');
  await writeFile(file, config(door.url, pagerUrl));
  const db = join(dir, 'mend.db');
  let mend: MendProcess | undefined;
  t.after(async () => {
    if (mend && mend.child.exitCode === null) mend.kill('SIGKILL');
    await mend?.exited;
    await door.close();
    pager.closeAllConnections();
    await new Promise((resolve) => pager.close(resolve));
  });
  const start = async (files: string[]) => {
    mend = new MendProcess(
      [
        'run',
        '-c',
        file,
        ...files.flatMap((f) => ['-c', f]),
        '--db',
        db,
        '--listen',
        '127.0.0.1:0',
      ],
      { KUBECONFIG: kubeconfig, HOME: dir },
    );
    await mend.waitForLog(/^mend running/, 30_000);
    return mend;
  };
  const journal = (runId: string) => resultsOf(db, runId);
  const outcome = (runId: string) => outcomeOf(db, runId, 120_000, mend?.stdout.slice(-4000));
  const intents = async (runId: string) => {
    const store = await openStore({ path: db });
    const rows = await store.listJournal(runId);
    await store.close();
    return rows
      .filter((r) => r.phase === 'intent' && r.stepIndex === -1)
      .map((r) => r.payload as unknown as { runbook: string });
  };
  return { cluster, pages, start, journal, outcome, intents };
}

test('mend run, a bad rollout: the restart rung fails on the progress deadline, the undo rung rolls it back, verified', async (t) => {
  const { cluster, start, outcome, journal, intents } = await setUp(
    t,
    (door, pager) => `${webServiceYaml(door)}apiVersion: mend/v1
kind: Policy
metadata: { name: ladder }
spec:
  for: 0s
  cooldown: 0s
  ladder:
    - { runbook: kubernetes-rollout-restart, deadline: 4s }
    - { runbook: kubernetes-rollout-undo, deadline: 1m }
  escalate: { notifiers: [pager] }
---
apiVersion: mend/v1
kind: Notifier
metadata: { name: pager }
spec:
  webhook: { url: "${pager}" }
`,
  );
  cluster.apply(deployment('web', { replicas: 2, progressDeadlineSeconds: 2 }));
  await rolledOut(cluster, 'web');
  setImage(cluster, 'shop/web:broken'); // revision 2: its new pod crash-loops, the rollout stalls
  await start([
    'examples/runbooks/kubernetes-rollout-restart.yaml',
    'examples/runbooks/kubernetes-rollout-undo.yaml',
  ]);

  const first = await outcome('inc-1:heal:1');
  assert.equal(first.outcome, 'failed', JSON.stringify(first));
  const status = (await journal('inc-1:heal:1')).find((r) => r.name === 'rollout-status');
  assert.equal(status?.error, 'deployment "web" exceeded its progress deadline');
  // The restart rung is tried until its deadline, then the undo rung: the heal that ran it.
  let undoRun: string | undefined;
  const deadline = Date.now() + 90_000;
  while (undoRun === undefined) {
    for (let n = 2; n < 30 && undoRun === undefined; n++) {
      const rows = await intents(`inc-1:heal:${n}`);
      if (rows.some((r) => r.runbook === 'kubernetes-rollout-undo')) undoRun = `inc-1:heal:${n}`;
    }
    assert.ok(Date.now() < deadline, 'no undo rung within 90 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const second = await outcome(undoRun!);
  assert.equal(second.outcome, 'succeeded', JSON.stringify(await journal(undoRun!)));
  const undo = (await journal(undoRun!)).find((r) => r.name === 'undo');
  // Revision 3 is the restart of the bad revision 2: the undo goes past both, to revision 1.
  assert.equal(undo?.output, 'deployment.apps/web rolled back to revision 1');
  assert.equal(imageOf(cluster), 'shop/web:1.0');
  const web = cluster.store.get(TYPES.deployment, 'shop', 'web')!;
  assert.equal(web.metadata.annotations?.['mend.dev/heal'], undoRun);
  assert.equal(web.metadata.annotations?.['mend.dev/incident'], 'inc-1');
  // Revision 1's ReplicaSet re-used as the newest revision (after 2, broken, and the restarts of it).
  assert.ok(Number(web.metadata.annotations?.['deployment.kubernetes.io/revision']) >= 4);
  // One undo reached the API server: a later heal of the same incident does not undo the undo.
  const undos = cluster.requests.entries(
    (e) => e.method === 'PATCH' && e.contentType === 'application/json-patch+json',
  );
  assert.equal(undos.length, 1);
  await rolledOut(cluster, 'web');
});

test('mend run, a drain a PodDisruptionBudget blocks: evictions asked again until the deadline, then the heal fails and pages', async (t) => {
  const users = await startFlakyServer(200);
  t.after(() => users.close());
  const { cluster, pages, start, outcome, journal } = await setUp(
    t,
    (_door, pager) => `${webServiceYaml(users.url)}apiVersion: mend/v1
kind: Policy
metadata: { name: drain-bad-node }
spec:
  for: 0s
  heal: { runbook: drain-node-2 }
  maxAttempts: 1
  escalate: { notifiers: [pager] }
---
apiVersion: mend/v1
kind: Runbook
metadata: { name: drain-node-2 }
spec:
  steps:
    - name: drain
      drain: { node: node-2, retryIntervalSeconds: 1 }
      timeout: 6s
    - { name: verify, verify: {} }
---
apiVersion: mend/v1
kind: Notifier
metadata: { name: pager }
spec:
  webhook: { url: "${pager}" }
`,
  );
  cluster.apply(deployment('web', { replicas: 2 }));
  cluster.apply(budget(2));
  await rolledOut(cluster, 'web');
  await start([]);
  // Users see errors (node-2's network, say): the runbook drains node-2, which the budget forbids.
  users.setStatus(503);
  const run = await outcome('inc-1:heal:1');
  assert.equal(run.outcome, 'failed');
  const drain = (await journal('inc-1:heal:1')).find((r) => r.name === 'drain');
  assert.match(
    String(drain?.error),
    /^drain of node\/node-2 not done \(timed out after 6000 ms\): 1 pod\(s\) not evicted after [2-9]\d* refusal/,
  );
  assert.match(
    String(drain?.error),
    /Cannot evict pod as it would violate the pod's disruption budget/,
  );
  const evictions = cluster.requests.entries((e) => e.path.endsWith('/eviction'));
  assert.ok(
    evictions.length >= 2 && evictions.every((e) => e.code === 429),
    `${evictions.length} evictions`,
  );
  assert.equal(
    field(cluster.store.get(TYPES.node, undefined, 'node-2'), 'spec', 'unschedulable'),
    true,
  );
  await waitFor('the page', () => pages.length > 0 || undefined, 30_000);
  assert.match(JSON.stringify(pages[0]), /drain/);
});
