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
