import { z } from 'zod';
import { need } from '../../../kubernetes/access/permission.ts';
import { waitForRollout } from '../../../kubernetes/actions/wait-rollout.ts';
import { defineStepKind } from '../step-kind.ts';
import { deploymentFields, describeTarget, prepareDeployment, withClient } from './kube-step.ts';

export const rolloutStatusStep = defineStepKind({
  name: 'rolloutStatus',
  summary:
    'Waits (a watch, not a poll) until a Deployment’s rollout is done, by `kubectl rollout status`’s rules; fails on ProgressDeadlineExceeded and at the step’s timeout.',
  spec: z.strictObject({ ...deploymentFields }),
  sections: ['action'],
  // A list by field selector (for a resourceVersion), then watches from there.
  kubernetes: {
    needs: () => [need('list', 'apps', 'deployments'), need('watch', 'apps', 'deployments')],
  },
  idempotent: true, // it only reads: a resumed run watches again
  defaultTimeoutMs: () => 10 * 60_000,
  prepare: prepareDeployment,
  describe: describeTarget,
  summarize: (c) => `kubectl rollout status deployment/${c.name} -n ${c.namespace}`,
  statusName: 'status',
  execute: (p, ctx) =>
    withClient(p.context, ctx, async (client) => {
      const wait = await waitForRollout(client, p, ctx.signal);
      const data = { state: wait.state.kind, watches: wait.watches, relists: wait.relists };
      const output = wait.lines.join('\n');
      return wait.state.kind === 'done'
        ? { ok: true, output, data }
        : { ok: false, output, data, error: wait.state.message };
    }),
});
