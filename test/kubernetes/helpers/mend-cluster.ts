import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { TYPES } from '../../../src/kubernetes/simulator/cluster-context.ts';
import { field, type KubeObject } from '../../../src/kubernetes/simulator/objects.ts';
import {
  type ClusterOptions,
  SimulatedCluster,
} from '../../../src/kubernetes/simulator/simulated-cluster.ts';
import type { StepRecord } from '../../../src/runbooks/journal.ts';
import { openStore } from '../../../src/store/open.ts';
import { MendProcess } from '../../helpers/mend-process.ts';
import { FAST, sharedCertificates } from './kubectl.ts';

/** A container that runs briefly and exits 1, again and again (CrashLoopBackOff). */
export const CRASH = { kind: 'crash', runForMs: 300, exitCode: 1, reason: 'Error' } as const;

/**
 * A simulated cluster (namespace shop, two nodes, fast timings) for mend's own tests, with a
 * folder holding its admin kubeconfig; both gone after the test.
 */
export async function startCluster(t: TestContext, options: ClusterOptions = {}) {
  const cluster = await SimulatedCluster.start({
    certificates: await sharedCertificates(),
    namespaces: ['shop'],
    timing: FAST,
    ...options,
  });
  const dir = await mkdtemp(join(tmpdir(), 'mend-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await cluster.writeKubeconfig(kubeconfig, { namespace: 'shop' });
  t.after(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return { cluster, dir, kubeconfig };
}

/** A new image for shop/web's pod template: a rollout (a bad one, with shop/web:broken). */
export function setImage(cluster: SimulatedCluster, image: string): void {
  const d = cluster.store.get(TYPES.deployment, 'shop', 'web')!;
  const spec = d.spec as { template: { spec: { containers: { image: string }[] } } };
  spec.template.spec.containers[0]!.image = image;
  cluster.apply(d);
}

/** A PodDisruptionBudget for app=web in shop. */
export function budget(minAvailable: number): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { minAvailable, selector: { matchLabels: { app: 'web' } } },
  };
}

export type ResultRow = Omit<StepRecord, 'type'> & {
  type: string;
  outcome?: string;
  detail?: string;
};

/** The result rows of one run in the store at `db` (its steps', then the run's). */
export async function resultsOf(db: string, runId: string): Promise<ResultRow[]> {
  const store = await openStore({ path: db });
  const rows = await store.listJournal(runId);
  await store.close();
  return rows.filter((r) => r.phase === 'result').map((r) => r.payload as unknown as ResultRow);
}

/** Waits for the run's result row, polling the store. */
export async function outcomeOf(db: string, runId: string, timeoutMs = 120_000, what = '') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await resultsOf(db, runId)).find((r) => r.type === 'run');
    if (run) return run;
    if (Date.now() > deadline)
      throw new Error(`no outcome of ${runId} within ${timeoutMs} ms\n${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The Service `web` as a workload (shop/web), its one check probing `url` every 0.2 s. */
export function webServiceYaml(url: string): string {
  return `apiVersion: mend/v1
kind: Service
metadata: { name: web }
spec:
  kubernetes: { namespace: shop, name: web }
  checks:
    - { name: live, periodSeconds: 0.2, failureThreshold: 2, http: { url: "${url}" } }
---
`;
}

/** shop/web's pod template image. */
export const imageOf = (cluster: SimulatedCluster) =>
  field(
    cluster.store.get(TYPES.deployment, 'shop', 'web'),
    'spec',
    'template',
    'spec',
    'containers',
    '0',
    'image',
  );

/** A `mend run` of the config on the store, with the cluster's kubeconfig; killed after the test. */
export async function spawnMend(
  t: TestContext,
  where: { config: string; db: string; kubeconfig: string; dir: string },
) {
  const { config, db, kubeconfig, dir } = where;
  const mend = new MendProcess(
    [
      'run',
      '-c',
      config,
      '-c',
      'examples/runbooks/kubernetes-rollout-restart.yaml',
      '--db',
      db,
      '--listen',
      '127.0.0.1:0',
    ],
    { KUBECONFIG: kubeconfig, HOME: dir },
  );
  t.after(async () => {
    if (mend.child.exitCode === null) mend.kill('SIGKILL');
    await mend.exited;
  });
  await mend.waitForLog(/^mend running/, 30_000);
  return mend;
}
