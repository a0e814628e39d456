import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { RESTARTED_AT } from '../../src/kubernetes/actions/deployments.ts';
import { MARK } from '../../src/kubernetes/actions/marks.ts';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { field } from '../../src/kubernetes/simulator/objects.ts';
import type {
  ClusterOptions,
  SimulatedCluster,
} from '../../src/kubernetes/simulator/simulated-cluster.ts';
import { runMend } from '../helpers/mend-process.ts';
import { driveHeal } from '../runbooks/helpers.ts';
import { startFrontDoor } from './helpers/front-door.ts';
import { deployment, rolledOut } from './helpers/kubectl.ts';
import {
  CRASH,
  outcomeOf,
  resultsOf,
  spawnMend,
  startCluster,
  webServiceYaml,
} from './helpers/mend-cluster.ts';

async function setUp(t: TestContext, options: ClusterOptions = {}) {
  const { cluster, dir, kubeconfig } = await startCluster(t, options);
  const door = await startFrontDoor(cluster, 'web');
  t.after(() => door.close());
  return { cluster, dir, kubeconfig, door };
}

const restarts = (cluster: SimulatedCluster) =>
  cluster.requests.entries(
    (e) =>
      e.method === 'PATCH' &&
      e.code === 200 &&
      field(e.body, 'spec', 'template', 'metadata', 'annotations', RESTARTED_AT) !== undefined,
  );

test('mend run: a crash loop -> evidence -> rollout restart -> rollout status -> verified, the crashed log in the incident', async (t) => {
  const { cluster, dir, kubeconfig, door } = await setUp(t, {
    behaviours: [
      {
        image: 'shop/web:1.0',
        behaviour: CRASH,
        logs: ['boot', 'password=hunter22', 'panic: cache poisoned'],
      },
    ],
  });
  cluster.apply(deployment('web', { replicas: 2 }));
  // The crash is in the pods' state, not the image: a fresh pod (the restart's) is fine.
  const stop = cluster.requests.onRequest((e) => {
    if (e.method === 'PATCH' && e.code === 200) cluster.context.behaviours.length = 0;
  });
  t.after(stop);
  // The API server is busy at first: answered 429 / 503 with Retry-After, mend asks again.
  cluster.faults.add({
    match: { verb: 'patch', resource: 'deployments' },
    times: 1,
    action: { respond: { code: 429, retryAfterSeconds: 1 } },
  });
  cluster.faults.add({
    match: { verb: 'list', resource: 'deployments' },
    times: 1,
    action: { respond: { code: 503, retryAfterSeconds: 1 } },
  });
  const config = join(dir, 'services.yaml');
  await writeFile(
    config,
    `${webServiceYaml(door.url)}apiVersion: mend/v1
kind: Policy
metadata: { name: restart-web }
spec:
  for: 0s
  heal: { runbook: kubernetes-rollout-restart }
`,
  );
  const db = join(dir, 'mend.db');
  const mend = await spawnMend(t, { config, db, kubeconfig, dir });
  await outcomeOf(db, 'inc-1:heal:1', 120_000, mend.stdout.slice(-4000));
  mend.kill('SIGTERM');
  await mend.exited;

  const records = await resultsOf(db, 'inc-1:heal:1');
  const byName = (name: string) =>
    records.filter((r) => r.type === 'step' && r.name === name).at(-1);
  assert.equal(
    records.find((r) => r.type === 'run')?.outcome,
    'succeeded',
    JSON.stringify(records, null, 1) + mend.stdout.slice(-3000),
  );
  const logs = byName('crashed-logs');
  assert.equal(logs?.status, 'ok');
  assert.match(
    String(logs?.output),
    /\(previous instance: Error, exit 1\) ==\nboot\npassword=\[redacted\]\npanic: cache poisoned/,
  );
  assert.doesNotMatch(String(logs?.output), /hunter22/);
  assert.match(String(byName('events')?.output), /BackOff/);
  assert.match(String(byName('description')?.output), /restarts [1-9]/);
  assert.match(String(byName('restart')?.output), /^deployment\.apps\/web restarted/);
  assert.match(
    String(byName('rollout-status')?.output),
    /deployment "web" successfully rolled out$/,
  );
  assert.equal(byName('verify')?.status, 'ok');

  assert.equal(restarts(cluster).length, 1, 'exactly one restart');
  const web = cluster.store.get(TYPES.deployment, 'shop', 'web')!;
  assert.equal(web.metadata.annotations?.[MARK.heal], 'inc-1:heal:1');
  assert.equal(web.metadata.annotations?.[MARK.incident], 'inc-1');
  assert.ok(cluster.requests.entries().every((e) => e.userAgent?.startsWith('mend/')));
  assert.deepEqual(
    cluster.requests.entries((e) => e.fault !== undefined).map((e) => `${e.method} ${e.code}`),
    ['PATCH 429', 'GET 503'],
  );

  const report = await runMend(['incidents', 'show', 'inc-1', '--format', 'md', '--db', db]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /panic: cache poisoned/);
});

const RUNBOOK = (url: string) => `apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec:
  kubernetes: { namespace: shop, name: web }
  checks:
    - { name: live, periodSeconds: 0.2, http: { url: "${url}" } }
---
apiVersion: mend/v1
kind: Runbook
metadata: { name: heal }
spec:
  steps:
    - { name: restart, rolloutRestart: {} }
    - { name: status, rolloutStatus: {}, timeout: 60s }
    - { name: verify, verify: {} }
`;

// mend (the real executor, test/runbooks/fixtures/heal-driver.ts) killed at each step boundary,
// and while the restart's PATCH and the status's watch are in flight; then started again on
// the same store. Whatever the kill point: exactly one restart reaches the API server.
const KILLS: [
  string,
  Record<string, string>,
  ((e: { method: string; verb?: string }) => boolean) | undefined,
][] = [
  ['intent:steps:0', { KILL_AT: 'intent:steps:0' }, undefined],
  ['the restart PATCH answered', {}, (e) => e.method === 'PATCH'],
  ['result:steps:0', { KILL_AT: 'result:steps:0' }, undefined],
  ['intent:steps:1', { KILL_AT: 'intent:steps:1' }, undefined],
  ['the status watch open', {}, (e) => e.verb === 'watch'],
  ['result:steps:1', { KILL_AT: 'result:steps:1' }, undefined],
];

test('SIGKILL of mend during rollout restart and rollout status, at each step boundary: exactly one restart', async (t) => {
  for (const [where, env, killOn] of KILLS) {
    await t.test(where, async (st) => {
      const { cluster, dir, kubeconfig, door } = await setUp(st);
      cluster.apply(deployment('web', { replicas: 2 }));
      await rolledOut(cluster, 'web');
      await writeFile(join(dir, 'mend.yaml'), RUNBOOK(door.url));
      const environment = { ...env, KUBECONFIG: kubeconfig, HOME: dir };
      let killed = false;
      const killer = async () => {
        if (killed || !killOn) return false;
        killed = cluster.requests.entries().some(killOn);
        return killed;
      };
      const first = await driveHeal(dir, environment, killOn ? killer : undefined);
      assert.equal(first.signal, 'SIGKILL', `${where}: ${first.stdout}`);
      const second = await driveHeal(dir, { KUBECONFIG: kubeconfig, HOME: dir });
      assert.equal(
        second.outcome?.result,
        'succeeded',
        `${where}: ${JSON.stringify(second.outcome)}\n${second.stdout}`,
      );
      assert.equal(restarts(cluster).length, 1, `${where}: one restart`);
      assert.equal(cluster.store.get(TYPES.deployment, 'shop', 'web')?.metadata.generation, 2);
    });
  }
});
