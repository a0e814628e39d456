import assert from 'node:assert/strict';
import { deployment, forEachKubectl, rolledOut, rows, simulate } from './helpers/kubectl.ts';

// kubectl get against the simulator: server-side Tables in both discovery flavours, the real
// 404 and 400 texts, and the wire shape (h2, the Table Accept list).
forEachKubectl(
  'kubectl get prints the server-side tables, in legacy and aggregated discovery',
  async (t, minor) => {
    for (const discovery of ['aggregated', 'legacy'] as const) {
      const { cluster, kubectl } = await simulate(t, minor, { discovery });
      cluster.apply(deployment('web'));
      await rolledOut(cluster, 'web');

      const deploy = await kubectl(['get', 'deploy']);
      assert.equal(deploy.code, 0, deploy.stderr);
      const [header, web] = rows(deploy.stdout);
      assert.deepEqual(
        header,
        ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
        `${discovery}: ${deploy.stdout}`,
      );
      assert.deepEqual(web?.slice(0, 4), ['web', '2/2', '2', '2']);

      const pods = await kubectl(['get', 'pods', '-o', 'wide']);
      assert.equal(pods.code, 0, pods.stderr);
      const [podHeader, ...podRows] = rows(pods.stdout);
      assert.deepEqual(podHeader?.slice(0, 7), [
        'NAME',
        'READY',
        'STATUS',
        'RESTARTS',
        'AGE',
        'IP',
        'NODE',
      ]);
      assert.equal(podRows.length, 2);
      for (const row of podRows) {
        assert.match(row[0]!, /^web-[a-z0-9]+-[a-z0-9]{5}$/);
        assert.deepEqual([row[1], row[2], row[3]], ['1/1', 'Running', '0']);
        assert.match(row[6]!, /^node-[12]$/);
      }

      const nodes = await kubectl(['get', 'nodes']);
      assert.deepEqual(
        rows(nodes.stdout).map((r) => r.slice(0, 3)),
        [
          ['NAME', 'STATUS', 'ROLES'],
          ['node-1', 'Ready', '<none>'],
          ['node-2', 'Ready', '<none>'],
        ],
      );

      const revision = await kubectl([
        'get',
        'deploy',
        'web',
        '-o',
        'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision} {.status.observedGeneration}',
      ]);
      assert.equal(revision.stdout, '1 1');

      const missing = await kubectl(['get', 'deploy', 'nope']);
      assert.equal(missing.code, 1);
      assert.match(
        missing.stderr,
        /Error from server \(NotFound\): deployments\.apps "nope" not found/,
      );

      const badField = await kubectl(['get', 'pods', '--field-selector', 'spec.image=x']);
      assert.equal(badField.code, 1);
      assert.match(badField.stderr, /field label not supported: spec\.image/);

      const listed = cluster.requests.entries(
        (e) =>
          e.path === '/apis/apps/v1/namespaces/shop/deployments' && e.command === 'kubectl get',
      );
      assert.ok(listed.length >= 1, 'kubectl get listed the deployments');
      assert.equal(listed[0]!.protocol, 'h2');
      assert.match(listed[0]!.accept ?? '', /^application\/json;as=Table;v=v1;g=meta\.k8s\.io/);
      assert.equal(listed[0]!.query.limit, '500');
      const discoveryPaths = new Set(
        cluster.requests.entries((e) => e.command === 'kubectl get').map((e) => e.path),
      );
      // Aggregated discovery is the whole discovery; legacy needs the group versions too.
      assert.equal(
        discoveryPaths.has('/apis/apps/v1'),
        discovery === 'legacy',
        [...discoveryPaths].join(' '),
      );
    }
  },
);

forEachKubectl(
  'authentication and RBAC: the real 401 and 403 texts, and auth can-i',
  async (t, minor) => {
    const { cluster, kubectl } = await simulate(t, minor);
    cluster.apply(deployment('web', { replicas: 1 }));
    const user = 'system:serviceaccount:mend:mend';
    const token = cluster.addUser(user);
    cluster.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'healer', namespace: 'shop' },
      rules: [
        {
          apiGroups: ['apps'],
          resources: ['deployments'],
          verbs: ['get', 'list', 'watch', 'patch'],
        },
      ],
    });
    cluster.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'healer', namespace: 'shop' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'healer' },
      subjects: [{ kind: 'ServiceAccount', name: 'mend', namespace: 'mend' }],
    });

    const allowed = await kubectl(['get', 'deploy', 'web'], { token });
    assert.equal(allowed.code, 0, allowed.stderr);

    const scale = await kubectl(['scale', 'deploy/web', '--replicas=2'], { token });
    assert.equal(scale.code, 1);
    assert.match(
      scale.stderr,
      /Error from server \(Forbidden\): deployments\.apps "web" is forbidden: User "system:serviceaccount:mend:mend" cannot patch resource "deployments\/scale" in API group "apps" in the namespace "shop"/,
    );

    const pods = await kubectl(['get', 'pods'], { token });
    assert.equal(pods.code, 1);
    assert.match(
      pods.stderr,
      /pods is forbidden: User "system:serviceaccount:mend:mend" cannot list resource "pods" in API group "" in the namespace "shop"/,
    );

    const yes = await kubectl(['auth', 'can-i', 'patch', 'deployments'], { token });
    assert.deepEqual([yes.code, yes.stdout.trim()], [0, 'yes']);
    const no = await kubectl(['auth', 'can-i', 'delete', 'pods'], { token });
    assert.deepEqual([no.code, no.stdout.trim()], [1, 'no']);
    const elsewhere = await kubectl(['auth', 'can-i', 'patch', 'deployments', '-n', 'default'], {
      token,
    });
    assert.deepEqual([elsewhere.code, elsewhere.stdout.trim()], [1, 'no']);

    const stranger = await kubectl(['get', 'deploy'], { token: 'not-a-token-of-this-cluster' });
    assert.equal(stranger.code, 1);
    assert.match(stranger.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
    assert.ok(cluster.requests.entries((e) => e.code === 401).length > 0);
  },
);
