import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { Config } from '../../src/config/config.ts';
import { loadMendConfig } from '../../src/documents.ts';
import type { AccessState } from '../../src/kubernetes/access/access-check.ts';
import { type KubePermission, permissionText } from '../../src/kubernetes/access/permission.ts';
import { accessBlock } from '../../src/runbooks/access-gate.ts';
import { configAccess } from '../../src/runbooks/kubernetes-access.ts';
import { configRbac } from '../../src/runbooks/kubernetes-rbac.ts';
import { prepareAll } from '../../src/runbooks/preflight.ts';

async function load(yaml: string): Promise<Config> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-access-'));
  try {
    await writeFile(join(dir, 'mend.yaml'), yaml);
    const loaded = await loadMendConfig([dir]);
    assert.ok(loaded.config, JSON.stringify(loaded.errors, null, 1));
    return loaded.config;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const service = (name: string, target: string, labels = '{}') => `apiVersion: mend/v1
kind: Service
metadata: { name: ${name}, labels: ${labels} }
spec:
  kubernetes: ${target}
  checks: [{ name: live, http: { url: "http://127.0.0.1:1/healthz" } }]
---
`;
const runbook = (name: string, steps: string, evidence = '[]') => `apiVersion: mend/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  evidence: ${evidence}
  steps:
${steps}
    - { name: verify, verify: {} }
---
`;
const policy = (name: string, match: string, runbookName: string) => `apiVersion: mend/v1
kind: Policy
metadata: { name: ${name} }
spec:
  match: { services: ${match} }
  heal: { runbook: ${runbookName} }
---
`;

const texts = (c: Config) =>
  configAccess(c)
    .permissions.map((n) => permissionText(n.permission))
    .sort();

test('a heal policy’s runbook is needed on the services it selects, in each one’s namespace, not on others', async () => {
  const config = await load(
    service('web', '{ namespace: shop, name: web }', '{ tier: front }') +
      service('db', '{ namespace: data, name: db }') +
      runbook('restart', '    - { name: restart, rolloutRestart: {} }') +
      policy('heal-front', `{ matchers: ['tier="front"'] }`, 'restart'),
  );
  assert.deepEqual(texts(config), [
    'get deployments (API group "apps") in namespace "shop"',
    'patch deployments (API group "apps") in namespace "shop"',
  ]);
  const [first] = configAccess(config).permissions;
  assert.deepEqual(first?.by, ['runbook restart on service web: steps[0] restart']);
});

test('a service with no kubernetes target needs nothing of a step that acts on its target: that run is refused when it prepares', async () => {
  const config = await load(
    service('web', '{ namespace: shop, name: web }') +
      `apiVersion: mend/v1
kind: Service
metadata: { name: batch }
spec:
  checks: [{ name: live, http: { url: "http://127.0.0.1:1/healthz" } }]
---
` +
      runbook('restart', '    - { name: restart, rolloutRestart: {} }') +
      `apiVersion: mend/v1
kind: Policy
metadata: { name: everything }
spec:
  heal: { runbook: restart }
---
`,
  );
  const { permissions, unresolved } = configAccess(config);
  assert.deepEqual(unresolved, []);
  assert.deepEqual(
    permissions.flatMap((n) => n.by),
    [
      'runbook restart on service web: steps[0] restart',
      'runbook restart on service web: steps[0] restart',
    ],
  );
});

test('a runbook no policy runs is needed on every Kubernetes service (run by hand); a step’s own namespace wins; nodes are cluster-scoped', async () => {
  const config = await load(
    service('web', '{ namespace: shop, name: web, context: prod }') +
      runbook(
        'by-hand',
        `    - { name: scale, scale: { replicas: 2, namespace: other } }
    - { name: cordon, cordon: { node: "{{signal.labels.node}}" } }`,
        '[{ name: logs, podLogs: { pod: "{{signal.labels.pod}}" } }]',
      ),
  );
  const { permissions, unresolved } = configAccess(config);
  assert.deepEqual(unresolved, []);
  assert.deepEqual(permissions.map((n) => permissionText(n.permission)).sort(), [
    'get deployments (API group "apps") in namespace "other" (context "prod")',
    'get nodes (core API group) at the cluster scope (context "prod")',
    'get pods (core API group) in namespace "shop" (context "prod")',
    'get pods/log (core API group) in namespace "shop" (context "prod")',
    'patch deployments (API group "apps") in namespace "other" (context "prod")',
    'patch deployments/scale (API group "apps") in namespace "other" (context "prod")',
    'patch nodes (core API group) at the cluster scope (context "prod")',
  ]);
});

test('a namespace only the signal decides is said, not guessed; a service’s watch adds its needs', async () => {
  const config = await load(
    service('web', '{ namespace: shop, name: web, watch: {} }') +
      runbook(
        'anywhere',
        '    - { name: restart, rolloutRestart: { namespace: "{{signal.labels.namespace}}" } }',
      ),
  );
  const { permissions, unresolved } = configAccess(config);
  assert.equal(unresolved.length, 1);
  assert.match(
    unresolved[0]!,
    /^runbook anywhere steps\[0\] restart on service web: \{\{signal\.labels\.namespace\}\} has no value/,
  );
  assert.ok(permissions.every((n) => n.by.every((by) => by === 'watch of service web')));
  assert.ok(texts(config).includes('watch nodes (core API group) at the cluster scope'));
  const rbac = configRbac(config, { serviceAccount: 'mend', namespace: 'mend' });
  assert.ok('yaml' in rbac);
  assert.match(rbac.yaml, /Not included: where these steps act is known only when they run/);
});

test('mend kubernetes rbac: a Role and binding per namespace, a ClusterRole for the cluster scope, rules per resource with verbs in order, nothing else', async () => {
  const config = await load(
    service('web', '{ namespace: shop, name: web }') +
      runbook(
        'all',
        `    - { name: drain, drain: { node: n1 } }
    - { name: scale, scale: { replicas: 2 } }
    - { name: status, rolloutStatus: {} }`,
      ),
  );
  const rbac = configRbac(config, { serviceAccount: 'healer', namespace: 'ops' });
  assert.ok('yaml' in rbac, JSON.stringify(rbac));
  const objects = parseAllDocuments(rbac.yaml)
    .map((d) => d.toJS())
    .filter((o) => o !== null);
  assert.deepEqual(
    objects.map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`),
    [
      'Role shop/healer-healer',
      'RoleBinding shop/healer-healer',
      'ClusterRole -/healer-healer',
      'ClusterRoleBinding -/healer-healer',
    ],
  );
  assert.deepEqual(objects[0].rules, [
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'] },
  ]);
  assert.deepEqual(objects[2].rules, [
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  ]);
  for (const binding of [objects[1], objects[3]]) {
    assert.deepEqual(binding.subjects, [
      { kind: 'ServiceAccount', name: 'healer', namespace: 'ops' },
    ]);
  }
  assert.match(
    rbac.yaml,
    /# runbook all on service web: drain\n {2}- apiGroups: \[""\]\n {4}resources: \[nodes\]/,
  );
});

test('mend kubernetes rbac with several contexts asks which cluster; --context picks one', async () => {
  const config = await load(
    service('web', '{ namespace: shop, name: web, context: eu }') +
      service('api', '{ namespace: shop, name: api, context: us }') +
      runbook('restart', '    - { name: restart, rolloutRestart: {} }'),
  );
  const none = configRbac(config, { serviceAccount: 'mend', namespace: 'mend' });
  assert.ok('error' in none);
  assert.match(none.error, /several kubeconfig contexts \(eu, us\).*--context NAME/);
  const eu = configRbac(config, { serviceAccount: 'mend', namespace: 'mend', context: 'eu' });
  assert.ok('yaml' in eu);
  assert.match(eu.yaml, /on service web/);
  assert.doesNotMatch(eu.yaml, /on service api/);
  const nowhere = configRbac(config, { serviceAccount: 'mend', namespace: 'mend', context: 'ap' });
  assert.ok('error' in nowhere);
});

test('the gate: a refused action permission refuses the run (final), one not known holds it (not final), evidence never blocks', async () => {
  const config = await load(
    service('web', '{ namespace: shop, name: web }') +
      runbook(
        'restart',
        '    - { name: restart, rolloutRestart: {} }',
        '[{ name: logs, podLogs: {} }]',
      ),
  );
  const rb = config.runbooks[0]!;
  const steps = prepareAll(rb, {
    values: {
      params: {},
      dashParams: new Set(),
      service: { name: 'web', labels: {}, kubernetes: config.services[0]!.kubernetes! },
      runId: 'inc-1:heal:1',
    },
    secret: () => '',
  });
  const answering = (decide: (p: KubePermission) => AccessState) => ({
    asked: [] as string[],
    async states(list: readonly KubePermission[]) {
      this.asked.push(...list.map(permissionText));
      return list.map(decide);
    },
  });
  const allowed = answering(() => ({ kind: 'allowed' }));
  assert.equal(await accessBlock(steps, allowed), undefined);
  assert.ok(!allowed.asked.some((p) => p.includes('pods/log')), 'evidence is not gated');

  const noPatch = answering((p) =>
    p.verb === 'patch' ? { kind: 'denied', reason: undefined } : { kind: 'allowed' },
  );
  const refused = await accessBlock(steps, noPatch);
  assert.equal(refused?.final, true);
  assert.match(
    String(refused?.detail),
    /^missing Kubernetes permission .*steps\[0\] restart needs patch deployments \(API group "apps"\) in namespace "shop"; nothing ran/,
  );

  const failing = answering(() => ({ kind: 'unknown', error: 'connect ECONNREFUSED' }));
  const held = await accessBlock(steps, failing);
  assert.equal(held?.final, false);
  assert.match(
    String(held?.detail),
    /cannot tell whether mend may act .*ECONNREFUSED.*nothing ran/,
  );
});

test('replicas electing by a Kubernetes Lease need get, create and update on leases in its namespace', async () => {
  const config = await load(`apiVersion: mend/v1
kind: Settings
metadata: { name: settings }
spec:
  replicas: { enabled: true, kubernetesLease: { namespace: mend, name: mend-leader } }
`);
  assert.deepEqual(texts(config), [
    'create leases (API group "coordination.k8s.io") in namespace "mend"',
    'get leases (API group "coordination.k8s.io") in namespace "mend"',
    'update leases (API group "coordination.k8s.io") in namespace "mend"',
  ]);
  const [first] = configAccess(config).permissions;
  assert.deepEqual(first?.by, ["the replicas' leader election (Lease mend/mend-leader)"]);
  const without = await load(`apiVersion: mend/v1
kind: Settings
metadata: { name: settings }
spec:
  replicas: { enabled: true }
`);
  assert.deepEqual(texts(without), []);
});
