import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { authorize } from '../../src/kubernetes/simulator/authorization.ts';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { loadScenario, parseScenario } from '../../src/kubernetes/simulator/scenario-load.ts';
import { startScenario } from '../../src/kubernetes/simulator/scenario-run.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const SHOP = fileURLToPath(
  new URL('../../examples/kubernetes/simulator/shop.yaml', import.meta.url),
);

const errorsOf = (text: string) => {
  const result = parseScenario('story.yaml', text);
  assert.ok('errors' in result, 'expected the scenario to be refused');
  return result.errors.map((e) => e.format());
};

const HEAD = 'apiVersion: mend/v1\nkind: KubernetesScenario\nmetadata: {name: story}\nspec:\n';

test('scenario errors name FILE:LINE:COL, the field, what was expected and what was found', () => {
  assert.deepEqual(errorsOf(`${HEAD}  nodes: [node-1]\n  deploymnets: []\n`), [
    'story.yaml:6:3: spec.deploymnets: expected a known field, found unknown field "deploymnets" (did you mean "deployments"?)',
  ]);
  const [behaviour] = errorsOf(
    `${HEAD}  containers:\n    - {image: "x:1", behaviour: crashloop}\n`,
  );
  assert.match(
    behaviour!,
    /^story\.yaml:6:33: spec\.containers\[0\]\.behaviour: expected one of .*crashLoop.*, found "crashloop"/,
  );
  const [step] = errorsOf(
    `${HEAD}  timeline:\n    - {at: 10s, nodeNotReady: node-1, nodeReady: node-1}\n`,
  );
  assert.match(step!, /^story\.yaml:6:7: spec\.timeline\[0\]: expected exactly one action/);
  const [when] = errorsOf(`${HEAD}  timeline:\n    - {at: soon, clearFaults: true}\n`);
  assert.match(when!, /^story\.yaml:6:12: spec\.timeline\[0\]\.at: expected a duration/);
});

test('the shop example starts: its deployments roll out, its users are bound by its RBAC, its timeline runs', async (t) => {
  const loaded = await loadScenario(SHOP);
  assert.ok(
    'scenario' in loaded,
    JSON.stringify('errors' in loaded && loaded.errors.map((e) => e.format())),
  );
  const clock = new FakeClock();
  const scenario = {
    ...loaded.scenario,
    spec: { ...loaded.scenario.spec, timeline: [{ at: '20s', nodeNotReady: 'node-2' }] },
  };
  const running = await startScenario(scenario, { clock, tls: false });
  t.after(() => running.stop());
  await clock.advance(10_000);
  const ready = (name: string) =>
    running.cluster.store.get(TYPES.deployment, 'shop', name)?.status?.availableReplicas;
  assert.deepEqual(['web', 'api', 'db'].map(ready), [2, 2, 1]);
  const mend = {
    name: 'system:serviceaccount:mend:mend',
    groups: ['system:authenticated', 'system:serviceaccounts', 'system:serviceaccounts:mend'],
  };
  const can = (verb: string, resource: string, namespace = 'shop', subresource?: string) =>
    authorize(running.cluster.store, mend, {
      verb,
      group: resource === 'deployments' ? 'apps' : '',
      resource,
      namespace,
      ...(subresource ? { subresource } : {}),
    });
  assert.equal(can('patch', 'deployments'), true);
  assert.equal(can('get', 'pods', 'shop', 'log'), true);
  assert.equal(
    can('patch', 'deployments', 'shop', 'scale'),
    false,
    'a subresource needs its own rule',
  );
  assert.equal(
    can('patch', 'deployments', 'default'),
    false,
    'a RoleBinding grants only in its namespace',
  );
  assert.equal(can('delete', 'pods'), false);
  await clock.advance(11_000);
  const node = running.cluster.store.get(TYPES.node, undefined, 'node-2');
  assert.equal(
    ((node?.status?.conditions ?? []) as { type: string; status: string }[])[0]?.status,
    'Unknown',
  );
});

const STORY = `${HEAD}  nodes: [node-1]
  namespaces: [shop]
  timing: { start: 100ms, readyAfter: 200ms, backoff: 1s, termination: 100ms }
  deployments:
    - { name: api, namespace: shop, replicas: 2, image: shop/api:1.0 }
  timeline:
    - at: 5s
      describe: an api pod goes bad
      breakPods: { deployment: api, namespace: shop, behaviour: crashLoop, logs: ["panic: cache poisoned"] }
    - { at: 6s, breakPods: { deployment: api, namespace: shop, pods: 2, behaviour: notReady } }
    - { at: 7s, breakPods: { deployment: gone, namespace: shop, behaviour: crashLoop } }
`;

test('breakPods: running pods go bad (a crash loop with its log, not Ready), on a timeline held until started', async (t) => {
  const parsed = parseScenario('story.yaml', STORY);
  assert.ok('scenario' in parsed, JSON.stringify('errors' in parsed && parsed.errors));
  const clock = new FakeClock();
  const steps: string[] = [];
  const running = await startScenario(parsed.scenario, {
    clock,
    tls: false,
    holdTimeline: true,
    onStep: (step, outcome) =>
      steps.push(
        `${step.describe ?? step.at}: ${outcome.error?.message ?? outcome.pods?.length ?? '-'}`,
      ),
  });
  t.after(() => running.stop());
  const pods = () =>
    running.cluster.store
      .list(TYPES.pod, 'shop')
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const stateOf = (pod: ReturnType<typeof pods>[number]) => {
    const c = ((pod.status?.containerStatuses ?? []) as Record<string, unknown>[])[0]!;
    return { ready: c.ready, waiting: (c.state as { waiting?: { reason: string } }).waiting };
  };
  await clock.advance(10_000);
  assert.deepEqual(steps, [], 'a held timeline waits for startTimeline');
  assert.deepEqual(pods().map(stateOf), [
    { ready: true, waiting: undefined },
    { ready: true, waiting: undefined },
  ]);
  running.startTimeline();
  await clock.advance(5_500);
  assert.deepEqual(steps, ['an api pod goes bad: 1']);
  const [bad, good] = pods();
  assert.equal(stateOf(bad!).waiting?.reason, 'CrashLoopBackOff', 'the oldest name goes bad');
  assert.deepEqual(stateOf(good!), { ready: true, waiting: undefined }, 'the other runs on');
  // In its back-off the crashed instance is the container's log (the previous one after a restart).
  const crashed = running.cluster.context.logs.read(
    { name: bad!.metadata.name, uid: bad!.metadata.uid! },
    'api',
    {},
    clock.now(),
  );
  assert.match(crashed, /panic: cache poisoned\nfatal: api exited with code 1\n$/);
  await clock.advance(2_000);
  assert.deepEqual(steps.slice(1), [
    '6s: 2',
    '7s: no deployment shop/gone in the simulated cluster',
  ]);
  assert.equal(stateOf(pods()[1]!).ready, false, 'notReady: Running, never Ready again');
  // A pod made afterwards follows the container rules again: a restart heals.
  running.cluster.store.remove(TYPES.pod, 'shop', good!.metadata.name);
  await clock.advance(2_000);
  const fresh = pods().find((p) => p.metadata.name !== bad!.metadata.name)!;
  assert.notEqual(fresh.metadata.name, good!.metadata.name);
  assert.deepEqual(stateOf(fresh), { ready: true, waiting: undefined });
});
