import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { ClusterOptions } from '../../src/kubernetes/simulator/simulated-cluster.ts';
import { openStore } from '../../src/store/open.ts';
import { runMend } from '../helpers/mend-process.ts';
import { deployment, rolledOut } from './helpers/kubectl.ts';
import {
  CRASH,
  outcomeOf,
  resultsOf,
  setImage,
  spawnMend,
  startCluster,
} from './helpers/mend-cluster.ts';

/** A Service that is only its watch: no check, its signals come from the API server. */
const WATCHED = `apiVersion: mend/v1
kind: Service
metadata: { name: web }
spec:
  kubernetes:
    namespace: shop
    kind: Deployment
    name: web
    watch: { notReadyFor: 30s, restarts: 3, window: 10m }
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart-crash-loops }
spec:
  match:
    matchers: ['reason=~"CrashLoopBackOff|OOMKilled"', 'kind="Pod"']
  for: 0s
  heal: { runbook: kubernetes-rollout-restart }
`;

async function startMend(t: TestContext, options: ClusterOptions, yaml: string) {
  const { cluster, dir, kubeconfig } = await startCluster(t, options);
  const config = join(dir, 'services.yaml');
  await writeFile(config, yaml);
  const db = join(dir, 'mend.db');
  const mend = await spawnMend(t, { config, db, kubeconfig, dir });
  return { cluster, dir, db, mend, config, kubeconfig };
}

/** Waits until the incident is resolved in the store at `db`. */
async function resolvedIncident(db: string, id: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const store = await openStore({ path: db });
    const found = await store.getIncident(id).finally(() => store.close());
    if (found?.status === 'resolved') return found;
    if (Date.now() > deadline)
      throw new Error(`${id} not resolved within ${timeoutMs} ms: ${found?.status}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('mend run: a watched pod in CrashLoopBackOff -> signal with labels and events -> heal -> verified by the watch -> resolved', async (t) => {
  const { cluster, db, mend } = await startMend(
    t,
    { behaviours: [{ image: 'shop/web:1.0', behaviour: CRASH }] },
    WATCHED,
  );
  // The crash is in the pods' state: the restart's fresh pods are fine.
  const cure = cluster.requests.onRequest((e) => {
    if (e.method === 'PATCH' && e.code === 200) cluster.setBehaviours([]);
  });
  t.after(cure);
  cluster.apply(deployment('web', { replicas: 2 }));

  const outcome = await outcomeOf(db, 'inc-1:heal:1', 120_000, mend.stdout.slice(-4000));
  assert.equal(outcome.outcome, 'succeeded', mend.stdout.slice(-4000));
  const verify = (await resultsOf(db, 'inc-1:heal:1')).find(
    (r) => r.type === 'step' && r.name === 'verify',
  );
  assert.equal(verify?.status, 'ok');
  assert.match(String(verify?.output), /round \d+ clear\n.*round \d+ clear/s);
  await resolvedIncident(db, 'inc-1', 60_000);
  assert.equal(mend.countLogs(/source error/), 0, mend.stdout.slice(-3000));
  mend.kill('SIGTERM');
  assert.equal(await mend.exited, 0);

  const report = await runMend(['incidents', 'show', 'inc-1', '--format', 'md', '--db', db]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /`reason=CrashLoopBackOff`/);
  assert.match(report.stdout, /`kind=Pod`/);
  assert.match(report.stdout, /`deployment=web`/);
  assert.match(report.stdout, /recent events:\n.*BackOff/s);
  // The incident says who cured it: mend's restart replaced the crashing pods.
  assert.match(
    report.stdout,
    /cleared: pod web-\S+ is gone \(after mend's rollout restart at .* \(heal inc-1:heal:1\)\)/,
  );
});

test('mend run restarted: a condition that cleared while mend was down resolves its incident once the watch has listed', async (t) => {
  const { cluster, db, mend, config, kubeconfig, dir } = await startMend(
    t,
    { behaviours: [{ image: 'shop/web:1.0', behaviour: CRASH }] },
    // Watched, and no policy: the incident is recorded only.
    WATCHED.slice(0, WATCHED.indexOf('---')),
  );
  cluster.apply(deployment('web', { replicas: 1 }));
  await mend.waitForLog(
    /web\/kubernetes firing: container web of pod web-\S+ is in CrashLoopBackOff/,
    30_000,
  );
  await mend.waitForLog(/^inc-1 web: /, 10_000);
  mend.kill('SIGKILL');
  await mend.exited;
  // Fixed while mend was away: the crashing pod is replaced.
  cluster.setBehaviours([]);
  setImage(cluster, 'shop/web:1.1');
  await rolledOut(cluster, 'web');
  const again = await spawnMend(t, { config, db, kubeconfig, dir });
  const resolved = await resolvedIncident(db, 'inc-1', 30_000);
  const said = JSON.stringify(resolved.timeline);
  assert.match(
    said,
    /cleared: not seen when the watch started again \(CrashLoopBackOff of Pod web-/,
  );
  again.kill('SIGTERM');
  assert.equal(await again.exited, 0, again.stdout.slice(-3000));
});

test('mend runbook run by hand on a watched service without checks: verify watches the workload for the step', async (t) => {
  const { cluster, dir, kubeconfig } = await startCluster(t);
  cluster.apply(deployment('web', { replicas: 2 }));
  await rolledOut(cluster, 'web');
  const config = join(dir, 'services.yaml');
  await writeFile(config, WATCHED.slice(0, WATCHED.indexOf('---')));
  const db = join(dir, 'mend.db');
  const run = await runMend(
    [
      'runbook',
      'run',
      'kubernetes-rollout-restart',
      '--service',
      'web',
      '-c',
      config,
      '-c',
      'examples/runbooks/kubernetes-rollout-restart.yaml',
      '--db',
      db,
    ],
    { env: { KUBECONFIG: kubeconfig, HOME: dir }, timeoutMs: 120_000 },
  );
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(
    run.stdout,
    /> steps\[2\] verify: .*\n {2}ok in .*\n {2}\| watching web's workload for this step \(no watch running in this mend\)\n {2}\| round 1 clear\n {2}\| round 2 clear\n/,
  );
  assert.match(run.stdout, /SUCCEEDED: verified healthy by steps\[2\] verify/);
  const watches = cluster.requests.entries((e) => e.verb === 'watch' && e.path.endsWith('/pods'));
  assert.ok(watches.length >= 1, 'verify watched the pods');
});
