import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { RESTARTED_AT } from '../../src/kubernetes/actions/deployments.ts';
import { field } from '../../src/kubernetes/simulator/objects.ts';
import type { LoggedRequest } from '../../src/kubernetes/simulator/request-log.ts';
import { MendProcess } from '../helpers/mend-process.ts';
import { resultsOf } from '../kubernetes/helpers/mend-cluster.ts';
import { kubectlWith } from '../kubernetes/helpers/run-kubectl.ts';

const MEND_USER = 'system:serviceaccount:mend:mend';
/** The demo's last fault is at 80 s: its refusal comes 10 s later (the watch's notReadyFor). */
const DURATION_S = 105;

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-k8s-demo-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The demo as a person runs it (`npm start -- --kubernetes`), its files in `dir`. */
function startDemo(t: TestContext, dir: string, args: string[]): MendProcess {
  const demo = new MendProcess([
    'demo',
    '--kubernetes',
    '--db',
    join(dir, 'demo.db'),
    '--listen',
    '127.0.0.1:0',
    ...args,
  ]);
  t.after(async () => {
    if (demo.child.exitCode === null) demo.kill('SIGKILL');
    await demo.exited;
  });
  return demo;
}

/** Whether something still listens on 127.0.0.1:PORT (a part of the demo left running). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

/** The port of the simulated API server, from the kubeconfig the demo wrote. */
async function apiPort(kubeconfig: string): Promise<number> {
  const server = /server: https:\/\/127\.0\.0\.1:(\d+)/.exec(await readFile(kubeconfig, 'utf8'));
  assert.ok(server, 'the kubeconfig names the API server');
  return Number(server[1]);
}

async function waitForOutput(demo: MendProcess, pattern: RegExp, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(demo.stdout)) {
    if (Date.now() > deadline || demo.child.exitCode !== null)
      throw new Error(`no ${pattern} in the demo's output:\n${demo.stdout}\n${demo.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('mend demo --kubernetes prints the export KUBECONFIG line, real kubectl sees the shop, Ctrl-C stops everything', async (t) => {
  const dir = await tempDir(t);
  const demo = startDemo(t, dir, ['--no-faults']);
  await waitForOutput(demo, /^ {2}export KUBECONFIG=(.+)$/m, 60_000);
  const kubeconfig = /^ {2}export KUBECONFIG=(.+)$/m.exec(demo.stdout)![1]!;
  assert.equal(kubeconfig, join(dir, 'demo.kubeconfig'));
  const kubectl = kubectlWith(kubeconfig, join(dir, 'cache'));
  const got = await kubectl(['get', 'deploy', '-n', 'shop']);
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, /^web +3\/3 +3 +3 /m, 'the shop is up before mend starts');
  assert.match(got.stdout, /^api +2\/2 /m);
  assert.match(got.stdout, /^db +1\/1 /m);
  const nodes = await kubectl(['get', 'nodes']);
  assert.equal(nodes.stdout.match(/ Ready /g)?.length, 3, nodes.stdout);
  // mend acts as its ServiceAccount, which may not delete pods (the fourth fault's point).
  const can = kubectlWith(join(dir, 'demo.mend.kubeconfig'), join(dir, 'cache'));
  assert.equal((await can(['auth', 'can-i', 'patch', 'deployments', '-n', 'shop'])).code, 0);
  assert.equal((await can(['auth', 'can-i', 'delete', 'pods', '-n', 'shop'])).code, 1);
  const port = await apiPort(kubeconfig);
  demo.kill('SIGINT');
  assert.equal(await demo.exited, 0, demo.stderr);
  assert.match(demo.stdout, /incidents during this demo:\nno incidents\n/);
  for (const p of [port, 17811, 17819]) assert.equal(await listening(p), false, `port ${p} freed`);
});

test('mend demo --kubernetes, the whole schedule: one restart heals the crash loop, the bad release is undone, the lost node is cordoned and drained by evictions, the forbidden delete is refused and paged', async (t) => {
  const dir = await tempDir(t);
  const demo = startDemo(t, dir, ['--duration', String(DURATION_S)]);
  const timer = setTimeout(() => demo.kill('SIGKILL'), (DURATION_S + 60) * 1000);
  const code = await demo.exited;
  clearTimeout(timer);
  const feed = demo.stdout;
  assert.equal(code, 0, `${feed}\n${demo.stderr}`);
  const requests = (await readFile(join(dir, 'demo.requests.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LoggedRequest);
  const mends = requests.filter((r) => r.user === MEND_USER);
  assert.ok(mends.length > 0, 'mend acted as its ServiceAccount');
  assert.ok(
    mends.every((r) => r.userAgent?.startsWith('mend/')),
    'with its User-Agent',
  );
  const line = (pattern: RegExp) => {
    const found = feed.split('\n').find((l) => pattern.test(l));
    assert.ok(found, `no line ${pattern} in the feed:\n${feed}`);
    return found;
  };
  const healOf = (text: string) => /\((inc-\d+:heal:\d+)\)/.exec(text)![1]!;
  const db = join(dir, 'demo.db');

  // 1. The crash loop: exactly one restart of api, verified.
  line(/demo: FAULT: an api pod goes bad as it runs .* \(api-[a-z0-9]+-[a-z0-9]+\)$/);
  line(/runbook kubernetes-rollout-restart on api \(inc-\d+:heal:1\): succeeded: verified healthy/);
  const restartsOf = (name: string) =>
    mends.filter(
      (r) =>
        r.method === 'PATCH' &&
        r.path === `/apis/apps/v1/namespaces/shop/deployments/${name}` &&
        r.code === 200 &&
        field(r.body, 'spec', 'template', 'metadata', 'annotations', RESTARTED_AT) !== undefined,
    );
  assert.equal(restartsOf('api').length, 1, 'exactly one restart of api');

  // 2. The bad release: the restart rung fails on the progress deadline, the undo rung heals.
  const failed = line(
    /runbook kubernetes-rollout-restart on web \(inc-\d+:heal:\d+\): failed: steps\[1\] rollout-status failed: deployment "web" exceeded its progress deadline/,
  );
  const undone = line(/runbook kubernetes-rollout-undo on web \(inc-\d+:heal:\d+\): succeeded/);
  assert.ok(feed.indexOf(failed) < feed.indexOf(undone), 'the undo after the failed rollout');
  assert.equal(
    healOf(failed).split(':')[0],
    healOf(undone).split(':')[0],
    'one incident: the ladder',
  );
  const undos = mends.filter(
    (r) =>
      r.method === 'PATCH' &&
      r.path === '/apis/apps/v1/namespaces/shop/deployments/web' &&
      r.contentType === 'application/json-patch+json',
  );
  assert.equal(undos.length, 1, 'one undo');
  const webRestarts = restartsOf('web');
  assert.ok(webRestarts.length >= 1 && webRestarts.every((r) => r.at < undos[0]!.at));
  const template = (undos[0]!.body as { path: string; value: unknown }[]).find(
    (op) => op.path === '/spec/template',
  );
  assert.equal(field(template?.value, 'spec', 'containers', '0', 'image'), 'shop/web:1.0');

  // 3. The lost node: cordoned, its pods evicted through the eviction API (disruption budgets
  // hold there), none deleted; the drain verified.
  const drained = line(/runbook kubernetes-drain-node on \w+ \(inc-\d+:heal:1\): succeeded/);
  const cordons = mends.filter((r) => r.method === 'PATCH' && r.path === '/api/v1/nodes/node-3');
  assert.deepEqual(
    cordons.map((r) => [r.code, field(r.body, 'spec', 'unschedulable')]),
    [[200, true]],
    'one cordon',
  );
  const evictions = mends.filter((r) => r.method === 'POST' && r.path.endsWith('/eviction'));
  assert.ok(evictions.length >= 1, 'evictions');
  assert.ok(evictions.every((r) => r.code === 201 || r.code === 429));
  assert.ok(evictions.every((r) => field(r.body, 'apiVersion') === 'policy/v1'));
  assert.ok(
    evictions.every((r) => r.at > cordons[0]!.at),
    'cordoned first',
  );
  const drain = (await resultsOf(db, healOf(drained))).find((r) => r.name === 'drain');
  const evicted = [...String(drain?.output).matchAll(/^pod\/shop\/(\S+) evicted$/gm)].map(
    (m) => m[1],
  );
  assert.deepEqual(
    [...new Set(evictions.map((r) => r.path.split('/')[6]))].sort(),
    [...evicted].sort(),
    'each eviction is of a pod the drain names as on node-3',
  );
  assert.match(String(drain?.output), /node\/node-3 drained$/);

  // 4. The forbidden action: refused before its first step, nothing sent, a page that says why.
  line(/demo: FAULT: the db pod hangs/);
  line(
    /runbook kubernetes-delete-pod on db \(inc-\d+:heal:1\): failed: missing Kubernetes permission \(a SelfSubjectAccessReview said no\): steps\[0\] delete needs delete pods/,
  );
  line(/demo: PAGE received: page: db: .*why: .*delete pods/);
  const podWrites = mends.filter(
    (r) => r.method !== 'GET' && /^\/api\/v1\/namespaces\/shop\/pods\/[^/]+$/.test(r.path),
  );
  assert.deepEqual(podWrites, [], 'no mutating request on a pod (its mark, its delete)');
  assert.deepEqual(
    mends.filter((r) => r.method === 'DELETE'),
    [],
    'nothing deleted',
  );

  // The summary: every incident, and the crash loops measured from the API's CrashLoopBackOff.
  assert.match(feed, /incidents during this demo:\nINCIDENT +SERVICE +OPENED +STATUS/);
  const rows = [
    ...feed.matchAll(
      /^(inc-\d+) +shop\/(\S+) +[\d:.]+ +(\d+ms|[\d.]+s) +(\d+ms|[\d.]+s) +(\d+ms|[\d.]+s|-)$/gm,
    ),
  ];
  assert.ok(rows.length >= 2, `crash loops measured:\n${feed.slice(-2500)}`);
  assert.ok(
    rows.some((r) => r[2]!.startsWith('api-')) && rows.some((r) => r[2]!.startsWith('web-')),
  );
  assert.ok(
    rows.every((r) => r[5] !== '-'),
    'each crash loop healed and verified',
  );
  assert.match(
    feed,
    /^median of \d+: \S+ to the signal, \S+ to the heal decision; median of \d+: \S+ from it to verified recovery$/m,
  );
});
