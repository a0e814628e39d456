import assert from 'node:assert/strict';
import { deployment, forEachKubectl, rolledOut, simulate } from './helpers/kubectl.ts';

const restartPatch = { verb: 'patch', resource: 'deployments', name: 'web' };

// What kubectl does with the simulator's injected faults: 429 with Retry-After is retried, 5xx
// without it fails at once, a 409 fails the restart, and a cut or expired watch is resumed.
forEachKubectl(
  'faults: 429 with Retry-After, 503 without, 409, cut and expired watches',
  async (t, minor) => {
    // A slow image, so a rollout outlasts kubectl's start even on a loaded machine.
    const { cluster, kubectl } = await simulate(t, minor, {
      behaviours: [
        { image: 'shop/web:slow', behaviour: { kind: 'ok' }, timing: { readyAfterMs: 2500 } },
      ],
    });
    cluster.apply(deployment('web'));
    await rolledOut(cluster, 'web');

    cluster.faults.add({
      match: restartPatch,
      times: 2,
      action: { respond: { code: 429, retryAfterSeconds: 1 } },
    });
    const retried = await kubectl(['rollout', 'restart', 'deployment/web']);
    assert.equal(retried.code, 0, retried.stderr);
    const patches = cluster.requests.entries(
      (e) => e.method === 'PATCH' && e.command === 'kubectl rollout restart',
    );
    assert.deepEqual(
      patches.map((p) => [p.code, p.fault]),
      [
        [429, 'respond 429 retry-after 1'],
        [429, 'respond 429 retry-after 1'],
        [200, undefined],
      ],
    );
    await rolledOut(cluster, 'web');
    cluster.faults.clear();

    cluster.faults.add({
      match: { verb: 'get', resource: 'deployments', name: 'web' },
      times: 1,
      action: { respond: { code: 503 } },
    });
    const unavailable = await kubectl(['get', 'deployment', 'web']);
    assert.equal(unavailable.code, 1);
    assert.match(unavailable.stderr, /Error from server \(ServiceUnavailable\)/);
    assert.equal(
      cluster.requests.entries(
        (e) => e.command === 'kubectl get' && e.path.endsWith('/deployments/web'),
      ).length,
      1,
      'no retry without Retry-After',
    );
    cluster.faults.clear();

    cluster.faults.add({ match: restartPatch, times: 1, action: { respond: { code: 409 } } });
    const conflict = await kubectl(['rollout', 'restart', 'deployment/web']);
    assert.equal(conflict.code, 1);
    assert.match(
      conflict.stderr,
      /Operation cannot be fulfilled on deployments\.apps "web": the object has been modified/,
    );
    cluster.faults.clear();

    // Every watch is cut after one event: rollout status re-watches from where it was and finishes.
    cluster.faults.add({
      match: { verb: 'watch', resource: 'deployments' },
      action: { cutWatchAfterEvents: 1 },
    });
    const before = cluster.requests.entries().length;
    const slow = await kubectl(['set', 'image', 'deployment/web', 'web=shop/web:slow']);
    assert.equal(slow.code, 0, slow.stderr);
    const cut = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(cut.code, 0, cut.stderr);
    assert.match(cut.stdout, /successfully rolled out/);
    const watches = cluster.requests
      .entries()
      .slice(before)
      .filter((e) => e.verb === 'watch');
    assert.ok(watches.length >= 2, `re-watched after the cut (${watches.length} watches)`);
    cluster.faults.clear();
    await rolledOut(cluster, 'web');

    // During a rollout, the first watch answers 410 Expired: kubectl lists again, then watches from the new list.
    cluster.faults.add({
      match: { verb: 'watch', resource: 'deployments' },
      times: 1,
      action: { expireWatch: true },
    });
    const mark = cluster.requests.entries().length;
    const second = await kubectl(['rollout', 'restart', 'deployment/web']);
    assert.equal(second.code, 0, second.stderr);
    const expired = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(expired.code, 0, expired.stderr);
    const after = cluster.requests
      .entries()
      .slice(mark)
      .filter((e) => e.path === '/apis/apps/v1/namespaces/shop/deployments');
    const firstWatch = after.findIndex((e) => e.verb === 'watch');
    assert.equal(after[firstWatch]?.fault, 'watch 410 Expired');
    assert.ok(
      after.slice(firstWatch + 1).some((e) => e.verb === 'list'),
      'relisted after the 410',
    );
  },
);
