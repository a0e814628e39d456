import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMendConfig } from '../../src/documents.ts';
import { resourceText } from '../../src/kubernetes/access/permission.ts';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { configAccess } from '../../src/runbooks/kubernetes-access.ts';
import { MendProcess, runMend } from '../helpers/mend-process.ts';
import { startFrontDoor } from './helpers/front-door.ts';
import { deployment, rolledOut, waitFor } from './helpers/kubectl.ts';
import { resultsOf, startCluster, webServiceYaml } from './helpers/mend-cluster.ts';
import { kubectlWith } from './helpers/run-kubectl.ts';

const SA = 'system:serviceaccount:mend:mend';
const TOKEN = 'mend-sa-token-applied';

// Every Kubernetes step kind in one runbook, on shop/web: the evidence kinds (of the Deployment
// and of one pod), then each action (a ClusterRole's nodes and drain among them), then verify.
const EVERY_KIND = `apiVersion: mend/v1
kind: Runbook
metadata: { name: every-kind }
spec:
  params:
    pod: { pattern: "[a-z0-9]([-a-z0-9]*[a-z0-9])?" }
  evidence:
    - { name: logs, podLogs: {} }
    - { name: pod-logs, podLogs: { pod: "{{params.pod}}" } }
    - { name: events, kubernetesEvents: {} }
    - { name: pod-events, kubernetesEvents: { pod: "{{params.pod}}" } }
    - { name: description, kubernetesDescribe: {} }
  steps:
    - { name: delete, deletePod: { pod: "{{params.pod}}" } }
    - { name: scale, scale: { replicas: 3 } }
    - { name: scaled, rolloutStatus: {}, timeout: 60s }
    - { name: restart, rolloutRestart: {} }
    - { name: restarted, rolloutStatus: {}, timeout: 60s }
    - { name: undo, rolloutUndo: { toRevision: 1, skipRestarts: false } }
    - { name: undone, rolloutStatus: {}, timeout: 60s }
    - { name: cordon, cordon: { node: node-1 } }
    - { name: uncordon, uncordon: { node: node-1 } }
    - { name: drain, drain: { node: node-1 }, timeout: 60s }
    - { name: back, uncordon: { node: node-1 } }
    - { name: drained, rolloutStatus: {}, timeout: 60s }
    - { name: verify, verify: {} }
`;

/** `kubectl auth can-i` arguments for a permission: `patch deployments.apps --subresource=scale -n shop`. */
function canIArgs(p: {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}): string[] {
  return [
    'auth',
    'can-i',
    p.verb,
    p.group === '' ? p.resource : `${p.resource}.${p.group}`,
    ...(p.subresource ? [`--subresource=${p.subresource}`] : []),
    ...(p.namespace ? ['-n', p.namespace] : ['--all-namespaces']),
  ];
}

test('the RBAC mend computes, applied with real kubectl: a token bound to it may do every step kind and the watch, and nothing outside is allowed', async (t) => {
  const { cluster, dir, kubeconfig } = await startCluster(t, {
    namespaces: ['shop', 'mend'],
    users: [{ token: TOKEN, user: SA }],
  });
  const door = await startFrontDoor(cluster, 'web');
  t.after(() => door.close());
  cluster.apply(deployment('web', { replicas: 2 }));
  await rolledOut(cluster, 'web');
  const config = join(dir, 'mend.yaml');
  // Watched too: the watch's lists and watches (nodes cluster-wide, events in default) count.
  const watched = webServiceYaml(door.url).replace(
    'kubernetes: { namespace: shop, name: web }',
    'kubernetes: { namespace: shop, name: web, watch: {} }',
  );
  assert.match(watched, /watch: \{\}/);
  await writeFile(config, `${watched}${EVERY_KIND}`);

  const rbac = await runMend(['kubernetes', 'rbac', '-c', config]);
  assert.equal(rbac.code, 0, rbac.stderr);
  const admin = kubectlWith(kubeconfig, join(dir, 'kubectl-admin'));
  const applied = await admin(['apply', '--validate=false', '-f', '-'], rbac.stdout);
  assert.equal(applied.code, 0, applied.stderr);
  for (const line of [
    'role.rbac.authorization.k8s.io/mend-healer created',
    'rolebinding.rbac.authorization.k8s.io/mend-healer created',
    'clusterrole.rbac.authorization.k8s.io/mend-healer created',
    'clusterrolebinding.rbac.authorization.k8s.io/mend-healer created',
  ]) {
    assert.ok(applied.stdout.includes(line), `${line}\n${applied.stdout}`);
  }

  const saConfig = join(dir, 'sa.kubeconfig');
  await cluster.writeKubeconfig(saConfig, { token: TOKEN, user: 'mend', namespace: 'shop' });
  const asMend = kubectlWith(saConfig, join(dir, 'kubectl-sa'));
  // Every permission the config needs: yes, as real kubectl asks the API server.
  const loaded = await loadMendConfig([config]);
  assert.ok(loaded.config);
  const needed = configAccess(loaded.config).permissions.map((n) => n.permission);
  assert.ok(needed.length >= 15, `${needed.length} permissions`);
  for (const p of needed) {
    const can = await asMend(canIArgs(p));
    assert.equal(can.stdout.trim(), 'yes', `can-i ${canIArgs(p).join(' ')}: ${can.stderr}`);
  }
  // And what no step kind needs: no.
  const granted = new Set(needed.map((p) => `${p.verb} ${resourceText(p)} ${p.namespace ?? '*'}`));
  for (const outside of [
    { verb: 'delete', group: 'apps', resource: 'deployments', namespace: 'shop' },
    { verb: 'get', group: '', resource: 'secrets', namespace: 'shop' },
    { verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace: 'shop' },
    { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'mend' },
    { verb: 'delete', group: '', resource: 'nodes' },
    { verb: 'update', group: 'apps', resource: 'deployments', namespace: 'shop' },
  ]) {
    assert.ok(!granted.has(`${outside.verb} ${resourceText(outside)} ${outside.namespace ?? '*'}`));
    const can = await asMend(canIArgs(outside));
    assert.equal(can.stdout.trim(), 'no', `can-i ${canIArgs(outside).join(' ')}`);
    assert.equal(can.code, 1);
  }

  // The runbook run by hand as that ServiceAccount: every step of every kind passes.
  const pod = cluster.store.list(TYPES.pod, 'shop')[0]!.metadata.name;
  const db = join(dir, 'mend.db');
  const run = await runMend(
    [
      'runbook',
      'run',
      'every-kind',
      '--service',
      'web',
      '--param',
      `pod=${pod}`,
      '-c',
      config,
      '--db',
      db,
    ],
    { env: { KUBECONFIG: saConfig, HOME: dir }, timeoutMs: 240_000 },
  );
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const runId = /cli:web:every-kind:[\w-]+/.exec(run.stdout + run.stderr)?.[0];
  assert.ok(runId, run.stdout);
  const steps = (await resultsOf(db, runId)).filter((r) => r.type === 'step');
  assert.equal(steps.length, 18, JSON.stringify(steps.map((s) => s.name)));
  for (const step of steps) assert.equal(step.status, 'ok', `${step.name}: ${step.error}`);
  const mine = cluster.requests.entries((e) => e.user === SA);
  assert.deepEqual(
    mine.filter((e) => e.code === 403).map((e) => `${e.method} ${e.path}`),
    [],
    'a step asked for what its kind does not declare',
  );
  assert.ok(mine.some((e) => e.method === 'POST' && e.path.endsWith('/eviction')));

  // mend run as that ServiceAccount: the preflight finds every permission granted, and the
  // service's watch (deployments, pods, nodes, events) lists and watches without a 403.
  const mend = new MendProcess(
    ['run', '-c', config, '--db', join(dir, 'run.db'), '--listen', '127.0.0.1:0'],
    {
      KUBECONFIG: saConfig,
      HOME: dir,
    },
  );
  t.after(async () => {
    if (mend.child.exitCode === null) mend.kill('SIGKILL');
    await mend.exited;
  });
  await mend.waitForLog(
    /^kubernetes: all \d+ permission\(s\) the config needs are granted/,
    30_000,
  );
  await waitFor(
    'the watch of nodes as mend',
    () =>
      cluster.requests.entries(
        (e) => e.user === SA && e.verb === 'watch' && e.path === '/api/v1/nodes',
      ).length > 0,
  );
  mend.kill('SIGTERM');
  await mend.exited;
  assert.equal(mend.countLogs(/^kubernetes: (missing|permission not known)/), 0);
  assert.deepEqual(
    cluster.requests
      .entries((e) => e.user === SA && e.code === 403)
      .map((e) => `${e.verb} ${e.path}`),
    [],
    'the watch asked for what it does not declare',
  );

  // A step outside the Roles, as real kubectl does it with the same token: 403, the real text.
  const scaleOther = await asMend(['delete', 'deployment', 'web', '-n', 'shop', '--wait=false']);
  assert.equal(scaleOther.code, 1);
  assert.match(
    scaleOther.stderr,
    /deployments\.apps "web" is forbidden: User "system:serviceaccount:mend:mend" cannot delete resource "deployments" in API group "apps" in the namespace "shop"/,
  );
  assert.ok(cluster.store.get(TYPES.deployment, 'shop', 'web'), 'still there');
});
