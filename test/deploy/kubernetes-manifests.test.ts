import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { DEPLOY_CONFIG } from '../../src/cli/deploy-rbac.ts';
import { loadMendConfig } from '../../src/documents.ts';
import { configRbac } from '../../src/runbooks/kubernetes-rbac.ts';
import { simulate } from '../kubernetes/helpers/kubectl.ts';

const FOLDER = fileURLToPath(new URL('../../deploy/kubernetes', import.meta.url));

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

function kustomize(): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('kubectl', ['kustomize', FOLDER], (err, stdout, stderr) =>
      err ? reject(new Error(`kubectl kustomize failed: ${stderr}`)) : resolve(stdout),
    ),
  );
}

test('deploy/kubernetes builds with kubectl kustomize into what mend needs, locked down', async () => {
  const objects = parseAllDocuments(await kustomize()).map((d) => d.toJS() as K8sObject);
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  assert.deepEqual(objects.map((o) => o.kind).sort(), [
    'ClusterRole',
    'ClusterRoleBinding',
    'ConfigMap',
    'Deployment',
    'PersistentVolumeClaim',
    'Role',
    'Role',
    'RoleBinding',
    'RoleBinding',
    'Service',
    'ServiceAccount',
  ]);
  // mend's own objects in its namespace; the Roles where it heals and watches (shop, and default
  // for node events), the ClusterRole for nodes; every binding to mend's account.
  const rbacKinds = ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];
  for (const o of objects.filter((o) => !rbacKinds.includes(o.kind))) {
    assert.equal(o.metadata.namespace, 'mend', `${o.kind} ${o.metadata.name}`);
  }
  assert.deepEqual(
    byKind('Role')
      .map((o) => o.metadata.namespace)
      .sort(),
    ['default', 'shop'],
  );
  for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
    for (const binding of byKind(kind) as unknown as {
      subjects: { kind: string; name: string; namespace: string }[];
      roleRef: { name: string };
    }[]) {
      assert.deepEqual(binding.subjects, [
        { kind: 'ServiceAccount', name: 'mend', namespace: 'mend' },
      ]);
      assert.equal(binding.roleRef.name, 'mend-healer');
    }
  }
  const rules = [...byKind('Role'), ...byKind('ClusterRole')].flatMap(
    (role) => (role as unknown as { rules: { resources: string[]; verbs: string[] }[] }).rules,
  );
  const granted = rules.flatMap((r) =>
    r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${res}`)),
  );
  for (const never of ['get secrets', 'create pods/exec', 'delete deployments', '* *']) {
    assert.ok(!granted.includes(never), `the Role grants ${never}`);
  }
  for (const verb of granted.map((g) => g.split(' ')[0])) assert.notEqual(verb, '*');

  const deployment = byKind('Deployment')[0] as unknown as {
    spec: {
      replicas: number;
      strategy: { type: string };
      template: {
        spec: {
          serviceAccountName: string;
          securityContext: Record<string, unknown>;
          containers: {
            args: string[];
            securityContext: Record<string, unknown>;
            livenessProbe: { httpGet: { path: string } };
            readinessProbe: { httpGet: { path: string } };
            volumeMounts: { name: string; mountPath: string }[];
          }[];
          volumes: {
            name: string;
            configMap?: { name: string };
            persistentVolumeClaim?: { claimName: string };
          }[];
        };
      };
    };
  };
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  assert.ok(container);
  assert.equal(deployment.spec.replicas, 1);
  assert.equal(deployment.spec.strategy.type, 'Recreate', 'never two mends on one SQLite store');
  assert.equal(pod.serviceAccountName, 'mend');
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.deepEqual(container.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ['ALL'] },
  });
  assert.equal(container.livenessProbe.httpGet.path, '/healthz');
  assert.equal(container.readinessProbe.httpGet.path, '/readyz');
  // The store on the claim, the config from the generated ConfigMap (its hashed name).
  const config = pod.volumes.find((v) => v.name === 'config')?.configMap?.name;
  assert.equal(config, byKind('ConfigMap')[0]?.metadata.name);
  assert.match(config ?? '', /^mend-config-[a-z0-9]+$/);
  assert.equal(
    pod.volumes.find((v) => v.name === 'store')?.persistentVolumeClaim?.claimName,
    'mend-store',
  );
  assert.ok(container.args.includes('/var/lib/mend/mend.db'));
  assert.ok(container.volumeMounts.some((m) => m.mountPath === '/var/lib/mend'));
});

test('deploy/kubernetes grants exactly what mend kubernetes rbac computes for its example config', async () => {
  const loaded = await loadMendConfig([DEPLOY_CONFIG]);
  assert.ok(loaded.config, JSON.stringify(loaded.errors));
  const rbac = configRbac(loaded.config, { serviceAccount: 'mend', namespace: 'mend' });
  assert.ok('yaml' in rbac);
  const computed = parseAllDocuments(rbac.yaml)
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o !== null);
  const built = parseAllDocuments(await kustomize())
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o.kind.endsWith('Role') || o.kind.endsWith('RoleBinding'))
    .map(({ metadata: { labels: _labels, ...metadata }, ...rest }) => ({ ...rest, metadata }));
  const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const sorted = (list: K8sObject[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
  assert.deepEqual(sorted(built), sorted(computed));
  // What the example needs, in words: heal (restart, undo) and watch in shop, nodes cluster-wide.
  const shop = computed.find((o) => o.kind === 'Role' && o.metadata.namespace === 'shop') as
    | { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }
    | undefined;
  assert.deepEqual(
    shop?.rules.map((r) => `${r.apiGroups[0]}/${r.resources[0]}: ${r.verbs.join(',')}`),
    [
      '/events: list',
      '/pods: list,watch',
      '/pods/log: get',
      'apps/deployments: get,list,watch,patch',
      'apps/replicasets: list',
    ],
  );
});

test('deploy/kubernetes passes a server-side dry run against the simulated cluster, creating nothing', async (t) => {
  const sim = await simulate(t, '33', { namespaces: ['mend', 'shop', 'default'] });
  const applied = await sim.kubectl([
    'apply',
    '-k',
    FOLDER,
    '--dry-run=server',
    '--validate=false',
  ]);
  assert.equal(applied.code, 0, applied.stderr);
  for (const line of [
    'serviceaccount/mend created (server dry run)',
    'role.rbac.authorization.k8s.io/mend-healer created (server dry run)',
    'rolebinding.rbac.authorization.k8s.io/mend-healer created (server dry run)',
    'clusterrole.rbac.authorization.k8s.io/mend-healer created (server dry run)',
    'clusterrolebinding.rbac.authorization.k8s.io/mend-healer created (server dry run)',
    'persistentvolumeclaim/mend-store created (server dry run)',
    'service/mend created (server dry run)',
    'deployment.apps/mend created (server dry run)',
  ]) {
    assert.ok(applied.stdout.includes(line), `${line}\n${applied.stdout}`);
  }
  assert.match(applied.stdout, /configmap\/mend-config-[a-z0-9]+ created \(server dry run\)/);
  const after = await sim.kubectl([
    'get',
    'deployments,serviceaccounts',
    '-n',
    'mend',
    '-o',
    'name',
  ]);
  assert.equal(after.code, 0, after.stderr);
  assert.doesNotMatch(
    after.stdout,
    /deployment\.apps\/mend|serviceaccount\/mend\n/,
    'a dry run created it',
  );
});
