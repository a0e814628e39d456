import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AccessCheck } from '../../src/kubernetes/access/access-check.ts';
import { reviewAccess, SSAR_PATH } from '../../src/kubernetes/access/access-review.ts';
import { KubeClient } from '../../src/kubernetes/client/kube-client.ts';
import { loadKubeConfig } from '../../src/kubernetes/client/load-config.ts';
import { waitFor } from './helpers/kubectl.ts';
import { startCluster } from './helpers/mend-cluster.ts';

const SA = 'system:serviceaccount:mend:mend';
const TOKEN = 'mend-sa-token-check';
const getWeb = { verb: 'get', group: 'apps', resource: 'deployments', namespace: 'shop' };
const patchScale = { ...getWeb, verb: 'patch', subresource: 'scale' };

/** The simulated cluster, a Role granting `get deployments` in shop to mend's account, its client. */
async function setUp(t: Parameters<typeof startCluster>[0]) {
  const { cluster, dir } = await startCluster(t, { users: [{ token: TOKEN, user: SA }] });
  cluster.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'reader', namespace: 'shop' },
    rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }],
  });
  cluster.apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'reader', namespace: 'shop' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'mend', namespace: 'mend' }],
  });
  const path = join(dir, 'sa.kubeconfig');
  await cluster.writeKubeconfig(path, { token: TOKEN, user: 'mend' });
  const kc = await loadKubeConfig(undefined, {
    env: { KUBECONFIG: path },
    home: dir,
    inClusterPrefix: dir,
  });
  const client = new KubeClient(kc);
  t.after(() => client.close());
  const lines: { level: string; msg: string }[] = [];
  const log = {
    info: (msg: string) => lines.push({ level: 'info', msg }),
    warn: (msg: string) => lines.push({ level: 'warn', msg }),
    error: (msg: string) => lines.push({ level: 'error', msg }),
  };
  const reviews = () => cluster.requests.entries((e) => e.path === SSAR_PATH).length;
  return { cluster, client, lines, log, reviews };
}

test('a SelfSubjectAccessReview that fails is "not known", warned, and asked again until it answers', async (t) => {
  const { cluster, client, lines, log, reviews } = await setUp(t);
  // 503 without Retry-After: the client does not retry it, the review has no answer.
  cluster.faults.add({
    match: { verb: 'create', resource: 'selfsubjectaccessreviews' },
    times: 2,
    action: { respond: { code: 503 } },
  });
  const check = new AccessCheck({
    log: log as never, // only info, warn and error are called
    ask: (p, signal) => reviewAccess(client, p, signal),
    retryMs: 100,
  });
  t.after(() => check.stop());
  await check.review([{ permission: getWeb, by: ['runbook r on service web: steps[0] s'] }]);
  const first = check.report();
  assert.equal(first.status, 'warn', 'not denied: not known');
  assert.match(
    String(first.output),
    /permission not known .*get deployments \(API group "apps"\) in namespace "shop".*HTTP 503/,
  );
  assert.match(
    lines.find((l) => l.level === 'warn')?.msg ?? '',
    /^kubernetes: permission not known/,
  );
  assert.ok(!lines.some((l) => l.level === 'error'), 'never said missing');
  await waitFor('the retry to answer', () => check.report().status === 'pass', 10_000);
  assert.equal(reviews(), 3, 'two failed reviews, then the one that answered');
  assert.match(lines.at(-1)?.msg ?? '', /^kubernetes: permission granted: get deployments/);
});

test('a refused permission fails the report naming it and who needs it; answers are kept for the config’s life, asked again after a new review', async (t) => {
  const { client, lines, log, reviews } = await setUp(t);
  const check = new AccessCheck({
    log: log as never, // only info, warn and error are called
    ask: (p, signal) => reviewAccess(client, p, signal),
  });
  t.after(() => check.stop());
  const needed = [
    { permission: getWeb, by: ['runbook a on service web: steps[0] read'] },
    { permission: patchScale, by: ['runbook b on service web: steps[1] scale'] },
  ];
  await check.review(needed);
  const report = check.report();
  assert.equal(report.status, 'fail');
  assert.equal(
    report.output,
    'missing permission: patch deployments/scale (API group "apps") in namespace "shop", for runbook b on service web: steps[1] scale',
  );
  assert.deepEqual(
    lines.filter((l) => l.level === 'error').map((l) => l.msg.split(';')[0]),
    [
      'kubernetes: missing permission: patch deployments/scale (API group "apps") in namespace "shop", for runbook b on service web: steps[1] scale',
    ],
  );
  assert.equal(reviews(), 2);
  const states = await check.states([patchScale, getWeb]);
  assert.deepEqual(
    states.map((s) => s.kind),
    ['denied', 'allowed'],
  );
  assert.equal(reviews(), 2, 'known answers are not asked again');
  await check.review(needed);
  assert.equal(reviews(), 4, 'a reload asks again');
});
