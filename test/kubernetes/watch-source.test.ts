import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { type TestContext, test } from 'node:test';
import pino from 'pino';
import type { Config, ServiceConfig } from '../../src/config/config.ts';
import { KubeClient } from '../../src/kubernetes/client/kube-client.ts';
import { loadKubeConfig } from '../../src/kubernetes/client/load-config.ts';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import type { ClusterOptions } from '../../src/kubernetes/simulator/simulated-cluster.ts';
import type { Signal } from '../../src/signals/signal.ts';
import {
  KUBERNETES_SOURCE,
  KubernetesWatchSource,
} from '../../src/signals/sources/kubernetes-watch.ts';
import { createMetrics } from '../../src/support/metrics.ts';
import { deployment, rolledOut, waitFor } from './helpers/kubectl.ts';
import { CRASH, setImage, startCluster } from './helpers/mend-cluster.ts';

/** A Service `web` watching shop/web (or by a selector), as the config loader builds it. */
function service(
  kubernetes: Partial<NonNullable<ServiceConfig['kubernetes']>> = {},
): ServiceConfig {
  return {
    name: 'web',
    labels: { tier: 'frontend' },
    selector: [],
    events: [],
    dependsOn: [],
    checks: [],
    kubernetes: {
      namespace: 'shop',
      kind: 'Deployment',
      name: 'web',
      watch: { notReadyFor: '2s', restarts: 3, window: '10m' },
      ...kubernetes,
    },
    source: { file: 'test.yaml', line: 1, col: 1 },
  } as ServiceConfig;
}

const config = (services: ServiceConfig[]) => ({ services }) as unknown as Config;

/**
 * The source over a simulated cluster (TLS, mend's own client), the signals it hands over
 * collected in order, the warnings it logs, and its metrics.
 */
async function watchCluster(
  t: TestContext,
  options: ClusterOptions = {},
  services: ServiceConfig[] = [service()],
) {
  const { cluster, dir, kubeconfig } = await startCluster(t, options);
  const kc = await loadKubeConfig(undefined, {
    env: { KUBECONFIG: kubeconfig },
    home: dir,
    inClusterPrefix: dir,
  });
  const client = new KubeClient(kc);
  const signals: Signal[] = [];
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { level: number; msg: string };
        if (entry.level >= 40) warnings.push(entry.msg);
      }
      done();
    },
  });
  const metrics = createMetrics();
  const source = new KubernetesWatchSource({
    config: config(services),
    consumer: { consume: async (signal) => void signals.push(signal) },
    log: pino({ level: 'warn', base: undefined }, sink),
    metrics,
    client: async () => client,
  });
  t.after(async () => {
    await source.stop(1000);
    await client.close();
  });
  const firing = (reason: string) =>
    signals.filter((s) => s.status === 'firing' && s.labels.reason === reason);
  const resolved = (reason: string) =>
    signals.filter((s) => s.status === 'resolved' && s.labels.reason === reason);
  return { cluster, source, signals, warnings, metrics, firing, resolved };
}

test('a pod entering CrashLoopBackOff is a firing signal with its identity as labels and its events as evidence', async (t) => {
  const { cluster, source, firing, resolved } = await watchCluster(t, {
    behaviours: [{ image: 'shop/web:1.0', behaviour: CRASH }],
  });
  cluster.apply(deployment('web', { replicas: 1 }));
  source.start();
  const [signal] = await waitFor('a CrashLoopBackOff signal', () => {
    const s = firing('CrashLoopBackOff');
    return s.length > 0 && s;
  });
  assert.ok(signal);
  const pod = cluster.store.list(TYPES.pod, 'shop')[0]!;
  assert.equal(signal.source, KUBERNETES_SOURCE);
  assert.equal(signal.service, 'web');
  assert.equal(signal.check, undefined);
  assert.deepEqual(
    { ...signal.labels },
    {
      tier: 'frontend',
      namespace: 'shop',
      kind: 'Pod',
      name: pod.metadata.name,
      deployment: 'web',
      pod: pod.metadata.name,
      node: (pod.spec as { nodeName: string }).nodeName,
      container: 'web',
      reason: 'CrashLoopBackOff',
      source: 'kubernetes',
      service: 'web',
    },
  );
  const evidence = signal.evidence[0]!;
  assert.equal(evidence.ok, false);
  assert.equal(evidence.status, 'CrashLoopBackOff');
  assert.match(
    signal.summary,
    /container web of pod web-\S+ is in CrashLoopBackOff \(last ended Error, exit 1\)/,
  );
  const facts = evidence.kubernetes!;
  assert.equal(facts.lastTermination?.reason, 'Error');
  assert.ok(
    facts.events.some((e) => e.reason === 'BackOff' && e.type === 'Warning'),
    JSON.stringify(facts.events),
  );
  assert.ok(facts.events.length <= 10);
  assert.match(evidence.output ?? '', /recent events:\n.*Warning {2}BackOff {2}pod\/web-/s);

  // The cure: fresh pods (what a rollout restart makes) with a working image.
  cluster.setBehaviours([]);
  setImage(cluster, 'shop/web:1.1');
  await rolledOut(cluster, 'web');
  const [cleared] = await waitFor('the crash loop resolved', () => {
    const s = resolved('CrashLoopBackOff');
    return s.length > 0 && s;
  });
  assert.equal(cleared!.fingerprint, signal.fingerprint);
  assert.equal(cleared!.evidence[0]!.ok, true);
  assert.match(cleared!.summary, /^cleared: pod web-\S+ is gone \(deleted, not by mend/);
  assert.equal(firing('CrashLoopBackOff').length, 1, 'fired once');
});
