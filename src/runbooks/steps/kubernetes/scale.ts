import { z } from 'zod';
import { need } from '../../../kubernetes/access/permission.ts';
import { scaleDeployment } from '../../../kubernetes/actions/deployments.ts';
import { renderText } from '../../render.ts';
import { Refusal } from '../../template-values.ts';
import { defineStepKind } from '../step-kind.ts';
import { deploymentFields, describeTarget, prepareDeployment, runAction } from './kube-step.ts';

export const scaleStep = defineStepKind({
  name: 'scale',
  summary: 'Sets a Deployment’s replicas through its scale subresource, as `kubectl scale` does.',
  spec: z.strictObject({
    ...deploymentFields,
    replicas: z
      .union([z.int().min(0).max(10_000), z.string().min(1)])
      .describe('The count, or a template that renders to one (`{{params.replicas}}`).'),
  }),
  sections: ['action'],
  // The scale subresource takes the count; the mark goes on the Deployment itself.
  kubernetes: {
    needs: () => [
      need('get', 'apps', 'deployments'),
      need('patch', 'apps', 'deployments/scale'),
      need('patch', 'apps', 'deployments'),
    ],
  },
  idempotent: true,
  defaultTimeoutMs: () => 30_000,
  prepare(spec, ctx) {
    const text =
      typeof spec.replicas === 'number'
        ? String(spec.replicas)
        : renderText(spec.replicas, ctx.values, 'replicas');
    if (!/^\d{1,5}$/.test(text) || Number(text) > 10_000) {
      throw new Refusal(
        `replicas: expected a whole number from 0 to 10000, found ${JSON.stringify(text)}`,
      );
    }
    return { ...prepareDeployment(spec, ctx), replicas: Number(text) };
  },
  describe: (p) => ({ ...describeTarget(p), replicas: p.replicas }),
  summarize: (c) => `kubectl scale deployment/${c.name} -n ${c.namespace} --replicas=${c.replicas}`,
  statusName: 'status',
  execute: (p, ctx) =>
    runAction(p, ctx, 'scale', (client, mark) =>
      scaleDeployment(client, p, p.replicas, mark, new Date(ctx.now()), ctx.signal),
    ),
});
