import { z } from 'zod';
import { need } from '../../../kubernetes/access/permission.ts';
import { undoDeployment } from '../../../kubernetes/actions/deployments.ts';
import { defineStepKind } from '../step-kind.ts';
import { deploymentFields, describeTarget, prepareDeployment, runAction } from './kube-step.ts';

export const rolloutUndoStep = defineStepKind({
  name: 'rolloutUndo',
  summary:
    'Rolls a Deployment back as `kubectl rollout undo` does (the previous revision, or `toRevision`): the ReplicaSet’s template put back with a JSON patch, marked with the heal’s id.',
  spec: z.strictObject({
    ...deploymentFields,
    toRevision: z
      .int()
      .min(0)
      .default(0)
      .describe('The revision to go back to. Default 0: the one before the current.'),
    skipRestarts: z
      .boolean()
      .default(true)
      .describe(
        'With toRevision 0, pass over revisions that differ from the current one only by a restart (kubectl.kubernetes.io/restartedAt): after a restart rung, kubectl’s previous revision is the same bad pods. Default true; false is exactly kubectl.',
      ),
  }),
  sections: ['action'],
  // The Deployment, its ReplicaSets (the revisions), then one JSON patch.
  kubernetes: {
    needs: () => [
      need('get', 'apps', 'deployments'),
      need('list', 'apps', 'replicasets'),
      need('patch', 'apps', 'deployments'),
    ],
  },
  // The mark makes it safe: run again blindly, "the previous revision" would be the bad one.
  idempotent: true,
  defaultTimeoutMs: () => 30_000,
  prepare: (spec, ctx) => ({
    ...prepareDeployment(spec, ctx),
    toRevision: spec.toRevision,
    skipRestarts: spec.skipRestarts,
  }),
  describe: (p) => ({
    ...describeTarget(p),
    toRevision: p.toRevision,
    skipRestarts: p.skipRestarts,
  }),
  summarize: (c) =>
    `kubectl rollout undo deployment/${c.name} -n ${c.namespace}${c.toRevision ? ` --to-revision=${c.toRevision}` : ''}`,
  statusName: 'status',
  execute: (p, ctx) =>
    runAction(p, ctx, 'rollout undo', (client, mark) =>
      undoDeployment(
        client,
        p,
        p.toRevision,
        p.skipRestarts,
        mark,
        new Date(ctx.now()),
        ctx.signal,
      ),
    ),
});
