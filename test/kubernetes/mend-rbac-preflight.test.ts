import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { SSAR_PATH } from '../../src/kubernetes/access/access-review.ts';
import { MendProcess, runMend } from '../helpers/mend-process.ts';
import { startReceiver } from '../notify/http-receiver.ts';
import { startFrontDoor } from './helpers/front-door.ts';
import { deployment } from './helpers/kubectl.ts';
import { CRASH, outcomeOf, startCluster, webServiceYaml } from './helpers/mend-cluster.ts';
import { kubectlWith } from './helpers/run-kubectl.ts';

const SA = 'system:serviceaccount:mend:mend';
const TOKEN = 'mend-sa-token-preflight';

async function readyz(listen: string) {
  const response = await fetch(`http://${listen}/readyz`);
  const body = (await response.json()) as {
    checks: Record<string, { status: string; output?: string }>;
  };
  return { code: response.status, kubernetes: body.checks.kubernetes };
}

test('mend run whose ServiceAccount lacks patch on deployments: refused before acting, paged with the missing permission, on /readyz; the Role fixed and a reload clear it', async (t) => {
  const { cluster, dir, kubeconfig } = await startCluster(t, {
    namespaces: ['shop', 'mend'],
    users: [{ token: TOKEN, user: SA }],
    behaviours: [{ image: 'shop/web:1.0', behaviour: CRASH }],
  });
  const door = await startFrontDoor(cluster, 'web');
  const pager = await startReceiver(() => ({ status: 200 }));
  t.after(async () => {
    await door.close();
    await pager.close();
  });
  cluster.apply(deployment('web', { replicas: 2 }));
  const config = join(dir, 'mend.yaml');
  await writeFile(
    config,
    `${webServiceYaml(door.url)}apiVersion: mend/v1
kind: Policy
metadata: { name: restart-web }
spec:
  for: 0s
  heal: { runbook: kubernetes-rollout-restart }
  escalate: { notifiers: [oncall] }
---
apiVersion: mend/v1
kind: Notifier
metadata: { name: oncall }
spec:
  webhook: { url: "${pager.url}/page" }
`,
  );
  const files = ['-c', config, '-c', 'examples/runbooks/kubernetes-rollout-restart.yaml'];

  // The RBAC mend computes for this config, applied with real kubectl, less `patch deployments`.
  const rbac = await runMend(['kubernetes', 'rbac', ...files]);
  assert.equal(rbac.code, 0, rbac.stderr);
  assert.match(rbac.stdout, /verbs: \[get, list, watch, patch\]/);
  const lacking = rbac.stdout.replace(
    'verbs: [get, list, watch, patch]',
    'verbs: [get, list, watch]',
  );
  const admin = kubectlWith(kubeconfig, join(dir, 'kubectl'));
  const applied = await admin(['apply', '--validate=false', '-f', '-'], lacking);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /role\.rbac\.authorization\.k8s\.io\/mend-healer created/);

  const saConfig = join(dir, 'sa.kubeconfig');
  await cluster.writeKubeconfig(saConfig, { token: TOKEN, user: 'mend', namespace: 'shop' });
  const db = join(dir, 'mend.db');
  const mend = new MendProcess(['run', ...files, '--db', db, '--listen', '127.0.0.1:0'], {
    KUBECONFIG: saConfig,
    HOME: dir,
  });
  t.after(async () => {
    if (mend.child.exitCode === null) mend.kill('SIGKILL');
    await mend.exited;
  });
  const summary = await mend.waitForLog(/^mend running/, 30_000);
  const listen = /listen:\s+http:\/\/([\d.]+:\d+)/.exec(summary)?.[1];
  assert.ok(listen, summary);

  // At start: the log and /readyz name the verb, the resource and the namespace.
  const logged = await mend.waitForLog(/^kubernetes: missing permission/, 30_000);
  assert.match(logged, /patch deployments \(API group "apps"\) in namespace "shop"/);
  assert.match(logged, /runbook kubernetes-rollout-restart on service web: steps\[0\] restart/);
  assert.equal(mend.countLogs(/^kubernetes: missing permission/), 1, 'only patch is missing');
  const down = await readyz(listen);
  assert.equal(down.code, 503);
  assert.equal(down.kubernetes?.status, 'fail');
  assert.match(
    String(down.kubernetes?.output),
    /missing permission: patch deployments \(API group "apps"\) in namespace "shop"/,
  );

  // The crash loop fires the check, the policy heals, the run is refused before its first step.
  const run = await outcomeOf(db, 'inc-1:heal:1', 120_000, mend.stdout.slice(-4000));
  assert.equal(run.outcome, 'failed');
  assert.match(
    String(run.detail),
    /^missing Kubernetes permission .*steps\[0\] restart needs patch deployments \(API group "apps"\) in namespace "shop".*nothing ran/,
  );
  const page = (await pager.waitFor(1, 30_000))[0]!;
  assert.match(
    JSON.stringify(page.body),
    /patch deployments \(API group \\"apps\\"\) in namespace \\"shop\\"/,
  );
  const mine = cluster.requests.entries((e) => e.user === SA);
  assert.ok(
    mine.some((e) => e.path === SSAR_PATH),
    'the preflight asked the API server',
  );
  assert.deepEqual(
    mine
      .filter((e) => e.method !== 'GET' && e.path !== SSAR_PATH)
      .map((e) => `${e.method} ${e.path}`),
    [],
    'no mutating request: nothing half-ran',
  );
  assert.ok(
    mine.every(
      (e) => e.method !== 'GET' || e.verb === 'get' || e.verb === 'list' || e.verb === 'watch',
    ),
  );
  assert.ok(
    !mine.some(
      (e) =>
        e.path.startsWith('/apis/apps/v1/namespaces/shop/deployments/web') && e.method === 'GET',
    ),
    'not even the evidence ran',
  );

  // The Role as mend computed it, applied; SIGHUP: /readyz passes again.
  const fixed = await admin(['apply', '--validate=false', '-f', '-'], rbac.stdout);
  assert.equal(fixed.code, 0, fixed.stderr);
  mend.kill('SIGHUP');
  await mend.waitForLog(
    /^kubernetes: all \d+ permission\(s\) the config needs are granted/,
    30_000,
  );
  const after = await readyz(listen);
  assert.equal(after.kubernetes?.status, 'pass', JSON.stringify(after));
  assert.equal(after.code, 200);
});
