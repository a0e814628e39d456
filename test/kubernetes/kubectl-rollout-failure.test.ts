import assert from 'node:assert/strict';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { deployment, forEachKubectl, rolledOut, simulate } from './helpers/kubectl.ts';

// A bad image: rollout status fails on the progress deadline, and on its own --timeout; undo heals.
forEachKubectl(
  'rollout status fails on ProgressDeadlineExceeded and on --timeout; undo recovers',
  async (t, minor) => {
    const { cluster, kubectl } = await simulate(t, minor, {
      behaviours: [
        {
          image: 'shop/web:broken',
          behaviour: { kind: 'crash', runForMs: 200, exitCode: 1, reason: 'Error' },
        },
        { image: 'shop/slow:*', behaviour: { kind: 'ok' }, timing: { readyAfterMs: 120_000 } },
      ],
    });
    cluster.apply(deployment('web', { progressDeadlineSeconds: 2 }));
    await rolledOut(cluster, 'web');

    const setImage = await kubectl(['set', 'image', 'deployment/web', 'web=shop/web:broken']);
    assert.equal(setImage.code, 0, setImage.stderr);
    const failed = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(failed.stderr, /error: deployment "web" exceeded its progress deadline/);
    const progressing = (
      (cluster.store.get(TYPES.deployment, 'shop', 'web')?.status?.conditions ?? []) as {
        type: string;
        reason: string;
      }[]
    ).find((c) => c.type === 'Progressing');
    assert.equal(progressing?.reason, 'ProgressDeadlineExceeded');

    const undo = await kubectl(['rollout', 'undo', 'deployment/web']);
    assert.equal(undo.code, 0, undo.stderr);
    const healed = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(healed.code, 0, healed.stderr);
    assert.match(healed.stdout, /deployment "web" successfully rolled out/);

    cluster.apply(deployment('slow', { replicas: 1 }));
    const timedOut = await kubectl(['rollout', 'status', 'deployment/slow', '--timeout=2s']);
    assert.equal(timedOut.code, 1, timedOut.stdout);
    assert.match(timedOut.stderr, /timed out waiting for the condition/);
  },
);
