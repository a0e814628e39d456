import { z } from 'zod';
import { need } from '../../../kubernetes/access/permission.ts';
import { restartDeployment } from '../../../kubernetes/actions/deployments.ts';
import { defineStepKind } from '../step-kind.ts';
import { deploymentFields, describeTarget, prepareDeployment, runAction } from './kube-step.ts';

export const rolloutRestartStep = defineStepKind({
  name: 'rolloutRestart',
  summary:
    'Restarts a Deployment’s pods as `kubectl rollout restart` does (strategic merge patch of the template’s restartedAt, fieldManager mend), marking it with the heal’s id so a resumed run never restarts twice.',
  spec: z.strictObject({ ...deploymentFields }),
  sections: ['action'],
  // GET the Deployment (its mark), then one strategic merge PATCH.
  kubernetes: {
    needs: () => [need('get', 'apps', 'deployments'), need('patch', 'apps', 'deployments')],
  },
  // Safe to run again after a crash: the mark on the Deployment says it was done.
  idempotent: true,
  defaultTimeoutMs: () => 30_000,
  prepare: prepareDeployment,
  describe: describeTarget,
  summarize: (c) => `kubectl rollout restart deployment/${c.name} -n ${c.namespace}`,
  statusName: 'status',
  execute: (p, ctx) =>
    runAction(p, ctx, 'rollout restart', (client, mark) =>
      restartDeployment(client, p, mark, new Date(ctx.now()), ctx.signal),
    ),
});
