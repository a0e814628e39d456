import { z } from 'zod';
import { need } from '../../../kubernetes/access/permission.ts';
import { deletePod } from '../../../kubernetes/actions/pods.ts';
import { defineStepKind } from '../step-kind.ts';
import { deploymentFields, preparePod, runAction } from './kube-step.ts';

export const deletePodStep = defineStepKind({
  name: 'deletePod',
  summary:
    'Deletes one pod (its controller makes a new one), as `kubectl delete pod` does, and waits until it is gone.',
  spec: z.strictObject({
    namespace: deploymentFields.namespace,
    context: deploymentFields.context,
    pod: z
      .string()
      .min(1)
      .describe('The pod’s name, e.g. `{{signal.labels.pod}}`. Templates allowed.'),
    wait: z
      .boolean()
      .default(true)
      .describe('Wait until the pod is gone, as kubectl’s --wait. Default true.'),
    gracePeriodSeconds: z.int().min(0).max(3600).optional().describe('Default: the pod’s own.'),
  }),
  sections: ['action'],
  // GET, the mark (a merge patch), DELETE, then GETs until it is gone.
  kubernetes: {
    needs: () => [need('get', '', 'pods'), need('patch', '', 'pods'), need('delete', '', 'pods')],
  },
  // The pod is marked before it is deleted: a resumed run tells its pod from a new one.
  idempotent: true,
  defaultTimeoutMs: () => 2 * 60_000,
  prepare: (spec, ctx) => ({
    ...preparePod(spec, ctx),
    wait: spec.wait,
    gracePeriodSeconds: spec.gracePeriodSeconds,
  }),
  describe: (p) => ({
    ...(p.context !== undefined ? { context: p.context } : {}),
    namespace: p.namespace,
    pod: p.name,
    wait: p.wait,
    ...(p.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: p.gracePeriodSeconds } : {}),
  }),
  summarize: (c) => `kubectl delete pod ${c.pod} -n ${c.namespace}`,
  statusName: 'status',
  execute: (p, ctx) =>
    runAction(p, ctx, 'delete pod', (client, mark) =>
      deletePod(
        client,
        p,
        mark,
        { wait: p.wait, gracePeriodSeconds: p.gracePeriodSeconds },
        new Date(ctx.now()),
        ctx.signal,
      ),
    ),
});
