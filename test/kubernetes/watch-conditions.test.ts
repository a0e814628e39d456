import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../src/kubernetes/actions/objects.ts';
import { clearedBy } from '../../src/kubernetes/watch/cleared-by.ts';
import { ServiceConditions } from '../../src/kubernetes/watch/conditions.ts';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
const settings = { notReadyForMs: 30_000, restarts: 3, windowMs: 600_000 };

function pod(
  name: string,
  container: Record<string, unknown>,
  options: { ready?: boolean; readySince?: number; node?: string; deleting?: boolean } = {},
): KubeObject {
  return {
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: { app: 'web' },
      creationTimestamp: iso(T0),
      ...(options.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: { nodeName: options.node ?? 'node-1' },
    status: {
      phase: 'Running',
      conditions: [
        {
          type: 'Ready',
          status: options.ready ? 'True' : 'False',
          lastTransitionTime: iso(options.readySince ?? T0),
        },
      ],
      containerStatuses: [{ name: 'web', restartCount: 0, ...container }],
    },
  };
}

const deployment: KubeObject = {
  metadata: { name: 'web', namespace: 'shop', uid: 'uid-web' },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } },
  status: {},
};
const node = (name: string, ready: boolean): KubeObject => ({
  metadata: { name },
  status: {
    conditions: [
      {
        type: 'Ready',
        status: ready ? 'True' : 'Unknown',
        reason: ready ? 'KubeletReady' : 'NodeStatusUnknown',
        lastTransitionTime: iso(T0),
      },
    ],
  },
});

const evaluate = (
  conditions: ServiceConditions,
  pods: KubeObject[],
  now: number,
  extra: { deployments?: KubeObject[]; nodes?: KubeObject[] } = {},
) =>
  conditions.evaluate(
    {
      namespace: 'shop',
      deployments: extra.deployments ?? [deployment],
      pods,
      nodes: extra.nodes ?? [node('node-1', true)],
    },
    now,
  );
const reasons = (result: { conditions: { reason: string }[] }) =>
  result.conditions.map((c) => c.reason).sort();

test('a crash loop lasts until the container has been Ready for notReadyFor, and the evaluation says when to look again', () => {
  const c = new ServiceConditions(settings);
  const looping = pod('web-1', {
    state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } },
    lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: iso(T0) } },
    restartCount: 2,
  });
  const first = evaluate(c, [looping], T0 + 1000);
  assert.ok(reasons(first).includes('CrashLoopBackOff'));
  const loop = first.conditions.find((x) => x.reason === 'CrashLoopBackOff')!;
  assert.equal(loop.key, 'Pod/web-1/web/CrashLoopBackOff');
  assert.equal(loop.deployment, 'web');
  assert.equal(loop.container, 'web');
  assert.match(
    loop.message,
    /in CrashLoopBackOff \(last ended Error, exit 1\), restarted 2 time\(s\) by kubelet: back-off 10s/,
  );
  // Running and Ready again between two back-offs: still the loop, until 30 s of it.
  const running = pod(
    'web-1',
    { state: { running: { startedAt: iso(T0 + 5000) } }, ready: true, restartCount: 3 },
    { ready: true, readySince: T0 + 5000 },
  );
  const between = evaluate(c, [running], T0 + 20_000);
  assert.ok(reasons(between).includes('CrashLoopBackOff'));
  assert.equal(between.nextAt, T0 + 35_000);
  assert.ok(!reasons(evaluate(c, [running], T0 + 35_000)).includes('CrashLoopBackOff'));
});

test('restarts rising by `restarts` within the window fire, and clear when the window has moved past them', () => {
  const c = new ServiceConditions(settings);
  const at = (count: number) =>
    pod('web-1', { state: { running: {} }, ready: true, restartCount: count }, { ready: true });
  c.observePod(at(5), T0);
  assert.deepEqual(reasons(evaluate(c, [at(5)], T0)), []);
  c.observePod(at(6), T0 + 60_000);
  c.observePod(at(7), T0 + 120_000);
  assert.deepEqual(reasons(evaluate(c, [at(7)], T0 + 120_000)), []);
  c.observePod(at(8), T0 + 180_000);
  const rising = evaluate(c, [at(8)], T0 + 180_000);
  const restart = rising.conditions.find((x) => x.reason === 'RestartsRising')!;
  assert.deepEqual(restart.restarts, { from: 5, to: 8, withinMs: 120_000, by: 'kubelet' });
  assert.equal(restart.since, T0 + 60_000);
  assert.match(
    restart.message,
    /restarted by kubelet 3 time\(s\) within 600s \(restartCount 5 -> 8\)/,
  );
  // The first restart leaves the window 10 minutes after it was seen.
  assert.equal(rising.nextAt, T0 + 660_000);
  assert.deepEqual(reasons(evaluate(c, [at(8)], T0 + 659_999)), ['RestartsRising']);
  assert.deepEqual(reasons(evaluate(c, [at(8)], T0 + 660_000)), []);
});

test('OOMKilled fires for a window after the kill; ImagePullBackOff while the image cannot be pulled', () => {
  const c = new ServiceConditions(settings);
  const killed = pod(
    'web-1',
    {
      state: { running: {} },
      ready: true,
      lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: iso(T0) } },
      restartCount: 1,
    },
    { ready: true },
  );
  const oom = evaluate(c, [killed], T0 + 1000);
  assert.deepEqual(reasons(oom), ['OOMKilled']);
  assert.equal(oom.nextAt, T0 + 600_000);
  assert.deepEqual(reasons(evaluate(c, [killed], T0 + 600_000)), []);
  for (const reason of ['ErrImagePull', 'ImagePullBackOff']) {
    const pulling = pod('web-2', { state: { waiting: { reason, message: 'not found' } } });
    const result = evaluate(c, [pulling], T0 + 1000);
    const pull = result.conditions.find((x) => x.reason === 'ImagePullBackOff')!;
    assert.equal(pull.key, 'Pod/web-2/web/ImagePullBackOff', 'one identity for both reasons');
    assert.match(pull.message, new RegExp(`cannot pull its image \\(${reason}\\): not found`));
  }
});

test('not Ready for notReadyFor (from the Ready condition’s transition), a terminating pod aside; unavailable replicas held as long', () => {
  const c = new ServiceConditions(settings);
  const unready = pod('web-1', { state: { running: {} }, ready: false }, { readySince: T0 });
  const early = evaluate(c, [unready], T0 + 29_000);
  assert.deepEqual(reasons(early), []);
  assert.equal(early.nextAt, T0 + 30_000);
  const late = evaluate(c, [unready], T0 + 30_000);
  assert.deepEqual(reasons(late), ['NotReady']);
  assert.match(late.conditions[0]!.message, /pod web-1 has not been Ready for 30s on node node-1/);
  const going = pod('web-2', { state: { running: {} } }, { deleting: true });
  assert.deepEqual(reasons(evaluate(c, [going], T0 + 60_000)), []);

  const short = { ...deployment, status: { unavailableReplicas: 1 } };
  const seen = evaluate(c, [], T0, { deployments: [short] });
  assert.deepEqual(reasons(seen), []);
  assert.equal(seen.nextAt, T0 + 30_000);
  const held = evaluate(c, [], T0 + 30_000, { deployments: [short] });
  assert.deepEqual(reasons(held), ['UnavailableReplicas']);
  assert.match(
    held.conditions[0]!.message,
    /deployment "web" has 1 of 2 replica\(s\) unavailable for 30s/,
  );
  // Available again resets it: the next shortfall waits its 30 s again.
  evaluate(c, [], T0 + 40_000, { deployments: [deployment] });
  assert.deepEqual(reasons(evaluate(c, [], T0 + 41_000, { deployments: [short] })), []);
});

test('a node NotReady counts only while it hosts a (not terminating) pod of the service', () => {
  const c = new ServiceConditions(settings);
  const nodes = [node('node-1', true), node('node-2', false)];
  const ready = { ready: true };
  const on1 = pod('web-1', { state: { running: {} }, ready: true }, { ...ready, node: 'node-1' });
  const on2 = pod('web-2', { state: { running: {} }, ready: true }, { ...ready, node: 'node-2' });
  const down = evaluate(c, [on1, on2], T0 + 1000, { nodes });
  assert.deepEqual(reasons(down), ['NodeNotReady']);
  assert.equal(down.conditions[0]!.name, 'node-2');
  assert.match(
    down.conditions[0]!.message,
    /node node-2 is not Ready \(Unknown, NodeStatusUnknown\); it hosts 1 pod\(s\) of the service: web-2/,
  );
  const drained = pod('web-2', { state: { running: {} } }, { node: 'node-2', deleting: true });
  assert.deepEqual(reasons(evaluate(c, [on1, drained], T0 + 2000, { nodes })), []);
});

test('who cleared a condition: kubelet in place, mend’s restart, or a deletion that was not mend’s', () => {
  const loop = {
    key: 'Pod/web-1/web/CrashLoopBackOff',
    reason: 'CrashLoopBackOff' as const,
    kind: 'Pod' as const,
    namespace: 'shop',
    name: 'web-1',
    pod: 'web-1',
    deployment: 'web',
    container: 'web',
    restartCount: 4,
    since: T0,
    message: '',
  };
  const recovered = pod(
    'web-1',
    { state: { running: {} }, ready: true, restartCount: 6 },
    { ready: true },
  );
  assert.equal(
    clearedBy(loop, { pods: [recovered], nodes: [], deployments: [deployment] }),
    'kubelet restarted container web in place (restartCount 4 -> 6) and it recovered; not healed by mend: no mend command acted on it',
  );
  assert.equal(
    clearedBy(loop, { pods: [], nodes: [], deployments: [deployment] }),
    'pod web-1 is gone (deleted, not by mend: no mend mark on it or its Deployment since the signal)',
  );
  const marked = (at: number): KubeObject => ({
    ...deployment,
    metadata: {
      ...deployment.metadata,
      annotations: {
        'mend.dev/heal': 'inc-1:heal:1',
        'mend.dev/action': `rollout restart at ${iso(at)}`,
      },
    },
  });
  assert.equal(
    clearedBy(loop, { pods: [], nodes: [], deployments: [marked(T0 + 5000)] }),
    `pod web-1 is gone (after mend's rollout restart at ${iso(T0 + 5000)} (heal inc-1:heal:1))`,
  );
  // mend's delete pod marks the pod itself before it deletes it.
  const deleted = pod('web-1', { state: { running: {} } });
  deleted.metadata.annotations = {
    'mend.dev/heal': 'inc-2:heal:1',
    'mend.dev/action': `delete pod at ${iso(T0 + 9000)}`,
  };
  assert.equal(
    clearedBy(loop, { pods: [], nodes: [], deployments: [deployment], gone: [deleted] }),
    `pod web-1 is gone (after mend's delete pod at ${iso(T0 + 9000)} (heal inc-2:heal:1))`,
  );
  const drained = node('node-2', false);
  drained.metadata.annotations = {
    'mend.dev/heal': 'inc-3:heal:1',
    'mend.dev/action': `drain at ${iso(T0 + 9000)}`,
  };
  const nodeDown = {
    ...loop,
    key: 'Node/node-2/NodeNotReady',
    reason: 'NodeNotReady' as const,
    kind: 'Node' as const,
    name: 'node-2',
    node: 'node-2',
  };
  assert.equal(
    clearedBy(nodeDown, { pods: [], nodes: [drained], deployments: [deployment] }),
    `node node-2 hosts no pod of the service any more; mend acted since it fired: drain at ${iso(T0 + 9000)} (heal inc-3:heal:1)`,
  );
  // A mark from an older heal is not this one's.
  assert.match(
    clearedBy(loop, { pods: [], nodes: [], deployments: [marked(T0 - 60_000)] }),
    /not by mend/,
  );
});

test("a crash loop whose pod a restart replaced holds until the Deployment is rolled out again; a bare pod's goes with it", () => {
  const c = new ServiceConditions(settings);
  const looping = pod('web-1', {
    state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } },
    restartCount: 4,
  });
  const rolling: KubeObject = {
    ...deployment,
    metadata: { ...deployment.metadata, generation: 3 },
    status: { observedGeneration: 3, replicas: 3, updatedReplicas: 1, availableReplicas: 1 },
  };
  assert.ok(
    reasons(evaluate(c, [looping], T0, { deployments: [rolling] })).includes('CrashLoopBackOff'),
  );
  // The restart deleted web-1; its new pod is starting and the rollout is not done.
  const fresh = pod('web-2', { state: { running: {} }, restartCount: 0 });
  const during = evaluate(c, [fresh], T0 + 2000, { deployments: [rolling] });
  const held = during.conditions.find((x) => x.reason === 'CrashLoopBackOff');
  assert.equal(held?.key, 'Pod/web-1/web/CrashLoopBackOff', JSON.stringify(during.conditions));
  assert.match(
    held.message,
    /the pod is gone, and this holds until deployment "web" is rolled out/,
  );
  // Terminating counts as gone too, and the hold is not doubled by a second evaluation.
  const again = evaluate(
    c,
    [{ ...looping, metadata: { ...looping.metadata, deletionTimestamp: iso(T0) } }, fresh],
    T0 + 3000,
    { deployments: [rolling] },
  );
  assert.equal(again.conditions.filter((x) => x.reason === 'CrashLoopBackOff').length, 1);
  // Rolled out: every replica updated and available, no old one left.
  const whole: KubeObject = {
    ...rolling,
    status: { observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
  };
  assert.ok(
    !reasons(evaluate(c, [fresh], T0 + 9000, { deployments: [whole] })).includes(
      'CrashLoopBackOff',
    ),
  );
  // Not held again once cleared.
  assert.ok(
    !reasons(evaluate(c, [fresh], T0 + 9500, { deployments: [rolling] })).includes(
      'CrashLoopBackOff',
    ),
  );

  // A pod of no Deployment: nothing to wait for, its crash loop ends with it.
  const alone = new ServiceConditions(settings);
  const bare: KubeObject = {
    ...looping,
    metadata: { ...looping.metadata, labels: { app: 'batch' } },
  };
  assert.ok(reasons(evaluate(alone, [bare], T0, { deployments: [] })).includes('CrashLoopBackOff'));
  assert.deepEqual(reasons(evaluate(alone, [], T0 + 1000, { deployments: [] })), []);
});
