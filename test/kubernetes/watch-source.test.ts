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
  runningWatches,
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

test('a node going NotReady is a signal for the service whose pods it hosts; its pods not Ready for notReadyFor too; both clear when it is back', async (t) => {
  const { cluster, source, firing, resolved } = await watchCluster(t);
  cluster.apply(deployment('web', { replicas: 2 }));
  await rolledOut(cluster, 'web');
  source.start();
  const pods = cluster.store.list(TYPES.pod, 'shop');
  const node = (pods[0]!.spec as { nodeName: string }).nodeName;
  cluster.setNodeReady(node, false);
  const [down] = await waitFor('a NodeNotReady signal', () => {
    const s = firing('NodeNotReady');
    return s.length > 0 && s;
  });
  assert.equal(down!.labels.kind, 'Node');
  assert.equal(down!.labels.name, node);
  assert.equal(down!.labels.node, node);
  assert.match(
    down!.summary,
    new RegExp(`node ${node} is not Ready \\(Unknown, NodeStatusUnknown`),
  );
  assert.ok(
    down!.evidence[0]!.kubernetes!.events.some((e) => e.reason === 'NodeNotReady'),
    JSON.stringify(down!.evidence[0]!.kubernetes),
  );
  // Its pods lose readiness (node lifecycle): after notReadyFor (2s) each is a signal.
  const hosted = pods.filter((p) => (p.spec as { nodeName: string }).nodeName === node);
  const notReady = await waitFor(
    'NotReady signals of its pods',
    () => {
      const s = firing('NotReady');
      return s.length >= hosted.length && s;
    },
    15_000,
  );
  assert.deepEqual(
    notReady.map((s) => s.labels.pod).sort(),
    hosted.map((p) => p.metadata.name).sort(),
  );
  assert.ok(notReady.every((s) => s.labels.node === node && s.labels.kind === 'Pod'));
  cluster.setNodeReady(node, true);
  const [up] = await waitFor('the node resolved', () => {
    const s = resolved('NodeNotReady');
    return s.length > 0 && s;
  });
  assert.equal(up!.fingerprint, down!.fingerprint);
  assert.match(up!.summary, new RegExp(`cleared: node ${node} is Ready again; no mend command`));
  await waitFor('its pods resolved', () => resolved('NotReady').length >= hosted.length);
  assert.equal(firing('NodeNotReady').length, 1);
});

test('ImagePullBackOff after a bad image is rolled out; ProgressDeadlineExceeded when the rollout gives up', async (t) => {
  const { cluster, source, firing, signals } = await watchCluster(t, {
    behaviours: [
      { image: 'shop/web:missing', behaviour: { kind: 'image-pull', message: 'not found' } },
    ],
  });
  cluster.apply(deployment('web', { replicas: 2, progressDeadlineSeconds: 3 }));
  await rolledOut(cluster, 'web');
  source.start();
  setImage(cluster, 'shop/web:missing');
  const [pull] = await waitFor('an ImagePullBackOff signal', () => {
    const s = firing('ImagePullBackOff');
    return s.length > 0 && s;
  });
  assert.equal(pull!.labels.container, 'web');
  assert.match(pull!.summary, /cannot pull its image \((ErrImagePull|ImagePullBackOff)\)/);
  assert.ok(
    pull!.evidence[0]!.kubernetes!.events.some((e) => /Failed to pull image/.test(e.message)),
  );
  const [deadline] = await waitFor(
    'a ProgressDeadlineExceeded signal',
    () => {
      const s = firing('ProgressDeadlineExceeded');
      return s.length > 0 && s;
    },
    15_000,
  );
  assert.equal(deadline!.labels.kind, 'Deployment');
  assert.equal(deadline!.labels.name, 'web');
  assert.match(deadline!.summary, /deployment "web" exceeded its progress deadline/);
  // ErrImagePull and ImagePullBackOff alternate: one condition, fired once per pod.
  const pods = new Set(firing('ImagePullBackOff').map((s) => s.labels.pod));
  assert.equal(
    firing('ImagePullBackOff').length,
    pods.size,
    JSON.stringify(signals.map((s) => s.summary)),
  );
});

test('restarts rising are kubelet’s, and say so; a crash loop seen through cut watches and 410 relists fires once and resolves once', async (t) => {
  const { cluster, source, firing, resolved, signals, metrics, warnings } = await watchCluster(t, {
    behaviours: [{ image: 'shop/web:1.0', behaviour: CRASH }],
  });
  cluster.apply(deployment('web', { replicas: 1 }));
  // The pods' watch is cut after one event three times, then answered 410 twice.
  cluster.faults.add({
    match: { verb: 'watch', resource: 'pods' },
    times: 3,
    action: { cutWatchAfterEvents: 1 },
  });
  cluster.faults.add({
    match: { verb: 'watch', resource: 'pods' },
    after: 3,
    times: 2,
    action: { expireWatch: true },
  });
  source.start();
  const [rising] = await waitFor(
    'a RestartsRising signal',
    () => {
      const s = firing('RestartsRising');
      return s.length > 0 && s;
    },
    20_000,
  );
  const facts = rising!.evidence[0]!.kubernetes!;
  assert.equal(facts.restarts?.by, 'kubelet');
  assert.ok(facts.restarts!.to - facts.restarts!.from >= 3, JSON.stringify(facts.restarts));
  assert.match(
    rising!.summary,
    /was restarted by kubelet \d+ time\(s\) within 600s \(restartCount \d+ -> \d+\)/,
  );
  assert.match(
    rising!.evidence[0]!.output ?? '',
    /restarts: by kubelet, .* mend never restarts a container in place/,
  );

  const lists = cluster.requests.entries((e) => e.verb === 'list' && e.path.endsWith('/pods'));
  const watches = cluster.requests.entries((e) => e.verb === 'watch' && e.path.endsWith('/pods'));
  assert.ok(lists.length >= 3, `relisted after each 410: ${lists.length} lists`);
  assert.ok(watches.length >= 6, `watched again after each cut: ${watches.length} watches`);
  assert.ok(
    watches.every((e) => e.query.allowWatchBookmarks === 'true' && e.query.resourceVersion),
    'every watch resumes from a resourceVersion and asks for bookmarks',
  );
  // The cure, then exactly one firing and one resolved per condition.
  cluster.setBehaviours([]);
  setImage(cluster, 'shop/web:1.1');
  await rolledOut(cluster, 'web');
  await waitFor('the crash loop resolved', () => resolved('CrashLoopBackOff').length > 0);
  await waitFor('the restarts resolved', () => resolved('RestartsRising').length > 0);
  for (const reason of ['CrashLoopBackOff', 'RestartsRising']) {
    assert.equal(
      firing(reason).length,
      1,
      `${reason} fired once: ${signals.map((s) => `${s.status} ${s.summary}`).join('\n')}`,
    );
    assert.equal(resolved(reason).length, 1, `${reason} resolved once`);
  }
  // The cuts are source errors (counted, warned), not the service's.
  const errors = (await metrics.sourceErrors.get()).values.find(
    (v) => v.labels.source === 'kubernetes',
  );
  assert.ok((errors?.value ?? 0) >= 3, JSON.stringify(errors));
  assert.ok(
    warnings.some((w) => /closed the watch after 1 event/.test(w)),
    warnings.join('\n'),
  );
});

test('a watch refused (403, 500) is a source error retried with backoff, never a signal; it goes on once the server answers', async (t) => {
  const { cluster, source, firing, signals, metrics, warnings } = await watchCluster(t, {
    behaviours: [{ image: 'shop/web:1.0', behaviour: CRASH }],
  });
  cluster.apply(deployment('web', { replicas: 1 }));
  cluster.faults.add({
    match: { verb: 'list', resource: 'pods' },
    times: 2,
    action: {
      respond: { code: 403, message: 'pods is forbidden: User "mend" cannot list resource "pods"' },
    },
  });
  cluster.faults.add({
    match: { verb: 'watch', resource: 'nodes' },
    times: 1,
    action: { respond: { code: 500 } },
  });
  // A watch answered 410 itself (not with an ERROR event): listed again, no failure.
  cluster.faults.add({
    match: { verb: 'watch', resource: 'pods' },
    times: 1,
    action: { respond: { code: 410, message: 'too old resource version' } },
  });
  source.start();
  // While refused, the watch says it is behind the cluster (a verify does not judge then).
  const behind = await waitFor('the watch behind', () => runningWatches.get('web')?.failing);
  assert.match(
    behind,
    /^(list pods in shop: .*forbidden.*\(HTTP 403\)|watch nodes: .*\(HTTP 500\))$/,
  );
  await waitFor(
    'a CrashLoopBackOff signal after the refusals',
    () => firing('CrashLoopBackOff').length > 0,
    20_000,
  );
  assert.ok(signals.every((s) => s.source === 'kubernetes' && s.labels.reason !== undefined));
  assert.ok(
    warnings.some((w) =>
      /list pods in shop: .*forbidden.*\(HTTP 403\); again in \d+ ms \(a source error/.test(w),
    ),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => /watch nodes: .*\(HTTP 500\)/.test(w)),
    warnings.join('\n'),
  );
  const errors = (await metrics.sourceErrors.get()).values.find(
    (v) => v.labels.source === 'kubernetes',
  );
  assert.equal(errors?.value, 3, warnings.join('\n'));
  await waitFor('the watch current again', () => runningWatches.get('web')?.failing === undefined);
  assert.equal(errors?.labels.check, 'web/watch');
  const podLists = cluster.requests.entries(
    (e) => e.verb === 'list' && e.path.endsWith('/pods') && e.code === 200,
  );
  assert.ok(podLists.length >= 2, `listed again after the 410: ${podLists.length}`);
});

test('a Service that selects by labels watches the Deployments and pods with them', async (t) => {
  const { cluster, source, firing } = await watchCluster(
    t,
    {
      behaviours: [
        {
          image: 'shop/web:1.0',
          behaviour: { kind: 'crash', runForMs: 300, exitCode: 137, reason: 'OOMKilled' },
        },
      ],
    },
    [service({ name: undefined, selector: { app: 'web' } })],
  );
  cluster.apply(deployment('web', { replicas: 1 }));
  cluster.apply(deployment('api', { replicas: 1 }));
  source.start();
  const [oom] = await waitFor('an OOMKilled signal', () => {
    const s = firing('OOMKilled');
    return s.length > 0 && s;
  });
  assert.equal(oom!.labels.deployment, 'web');
  assert.match(oom!.summary, /container web of pod web-\S+ was OOMKilled \(exit 137\)/);
  assert.ok(
    cluster.requests
      .entries((e) => e.verb === 'list' && e.path.endsWith('/pods'))
      .every((e) => e.query.labelSelector === 'app=web'),
  );
});

test('a reload keeps an unchanged watch (nothing fires again) and resolves what a removed watch held', async (t) => {
  const { cluster, source, firing, resolved, signals } = await watchCluster(t, {
    behaviours: [{ image: 'shop/web:1.0', behaviour: CRASH }],
  });
  cluster.apply(deployment('web', { replicas: 1 }));
  source.start();
  await waitFor('a CrashLoopBackOff signal', () => firing('CrashLoopBackOff').length > 0);
  const lists = () => cluster.requests.entries((e) => e.verb === 'list').length;
  const before = lists();
  source.reload(config([service()]));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(lists(), before, 'the same watch goes on: nothing listed again');
  const held = signals.filter((s) => s.status === 'firing');
  source.reload(config([]));
  await waitFor('what it held resolved', () => resolved('CrashLoopBackOff').length > 0);
  const gone = signals.filter((s) => s.status === 'resolved');
  assert.deepEqual(gone.map((s) => s.fingerprint).sort(), held.map((s) => s.fingerprint).sort());
  assert.ok(gone.every((s) => /^cleared: service web is no longer watched/.test(s.summary)));
});
