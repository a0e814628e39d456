import { z } from 'zod';
import { need } from '../../../kubernetes/access/permission.ts';
import { drainNode, setSchedulable } from '../../../kubernetes/actions/nodes.ts';
import { defineStepKind, type PrepareContext } from '../step-kind.ts';
import { deploymentFields, kubeName, prepareContext, runAction } from './kube-step.ts';

const nodeFields = {
  node: z
    .string()
    .min(1)
    .describe('The node’s name, e.g. `{{signal.labels.node}}`. Templates allowed.'),
  context: deploymentFields.context,
};

/** A node is cluster-scoped: a ClusterRole's rule. GET it, then a strategic merge PATCH. */
const NODE_NEEDS = [need('get', '', 'nodes', 'cluster'), need('patch', '', 'nodes', 'cluster')];

const prepareNode = (
  spec: { node: string; context?: string | undefined },
  ctx: PrepareContext,
) => ({
  context: prepareContext(spec.context, ctx),
  node: kubeName(spec.node, undefined, 'name', 'node', ctx),
  incident: ctx.values.incidentId,
});

const describeNode = (p: ReturnType<typeof prepareNode>) => ({
  ...(p.context !== undefined ? { context: p.context } : {}),
  node: p.node,
});

function schedulingStep(name: 'cordon' | 'uncordon') {
  const unschedulable = name === 'cordon';
  return defineStepKind({
    name,
    summary: unschedulable
      ? 'Marks a node unschedulable, as `kubectl cordon` does.'
      : 'Marks a node schedulable again, as `kubectl uncordon` does.',
    spec: z.strictObject(nodeFields),
    sections: ['action'],
    kubernetes: { needs: () => NODE_NEEDS },
    idempotent: true,
    defaultTimeoutMs: () => 30_000,
    prepare: prepareNode,
    describe: describeNode,
    summarize: (c) => `kubectl ${name} ${c.node}`,
    statusName: 'status',
    execute: (p, ctx) =>
      runAction(p, ctx, name, (client, mark) =>
        setSchedulable(client, p.node, unschedulable, mark, new Date(ctx.now()), ctx.signal),
      ),
  });
}

export const cordonStep = schedulingStep('cordon');
export const uncordonStep = schedulingStep('uncordon');

export const drainStep = defineStepKind({
  name: 'drain',
  summary:
    'Cordons a node and evicts its pods through the eviction API, so PodDisruptionBudgets hold (`kubectl drain --ignore-daemonsets`): a refused eviction is asked again every `retryInterval` until the step’s timeout, when the step fails, for the runbook to escalate.',
  spec: z.strictObject({
    ...nodeFields,
    force: z
      .boolean()
      .default(false)
      .describe('Evict pods no controller owns (they do not come back). Default false.'),
    deleteEmptyDirData: z
      .boolean()
      .default(false)
      .describe('Evict pods with emptyDir volumes (their data is lost). Default false.'),
    retryIntervalSeconds: z
      .int()
      .min(1)
      .max(300)
      .default(5)
      .describe('Between evictions a disruption budget refused. Default 5, as kubectl.'),
    gracePeriodSeconds: z
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .describe(
        'The evicted pods’ termination grace, as kubectl’s `--grace-period`. Default: each pod’s own.',
      ),
    skipWaitForDeleteTimeoutSeconds: z
      .int()
      .min(0)
      .max(86_400)
      .default(0)
      .describe(
        'A pod whose deletionTimestamp is more than this many seconds past is neither evicted again nor waited for, as kubectl’s `--skip-wait-for-delete-timeout`: what drains a NotReady node, whose kubelet never finishes its pods. Default 0: wait for every pod.',
      ),
  }),
  sections: ['action'],
  // Cordon, then the node's pods in every namespace (by field selector), their evictions, and
  // GETs until each is gone: all at the cluster scope, where the pods are not known in advance.
  kubernetes: {
    needs: () => [
      ...NODE_NEEDS,
      need('list', '', 'pods', 'cluster'),
      need('get', '', 'pods', 'cluster'),
      need('create', '', 'pods/eviction', 'cluster'),
    ],
  },
  idempotent: true, // run again, it evicts what is left
  defaultTimeoutMs: () => 10 * 60_000,
  prepare: (spec, ctx) => ({
    ...prepareNode(spec, ctx),
    force: spec.force,
    deleteEmptyDirData: spec.deleteEmptyDirData,
    retryMs: spec.retryIntervalSeconds * 1000,
    ...(spec.gracePeriodSeconds === undefined
      ? {}
      : { gracePeriodSeconds: spec.gracePeriodSeconds }),
    skipWaitForDeleteTimeoutSeconds: spec.skipWaitForDeleteTimeoutSeconds,
  }),
  describe: (p) => ({
    ...describeNode(p),
    force: p.force,
    deleteEmptyDirData: p.deleteEmptyDirData,
    retryMs: p.retryMs,
    ...(p.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: p.gracePeriodSeconds }),
    ...(p.skipWaitForDeleteTimeoutSeconds > 0
      ? { skipWaitForDeleteTimeoutSeconds: p.skipWaitForDeleteTimeoutSeconds }
      : {}),
  }),
  summarize: (c) =>
    [
      `kubectl drain ${c.node} --ignore-daemonsets`,
      ...(c.gracePeriodSeconds === undefined ? [] : [`--grace-period=${c.gracePeriodSeconds}`]),
      ...(c.skipWaitForDeleteTimeoutSeconds
        ? [`--skip-wait-for-delete-timeout=${c.skipWaitForDeleteTimeoutSeconds}`]
        : []),
    ].join(' '),
  statusName: 'status',
  execute: (p, ctx) =>
    runAction(p, ctx, 'drain', (client, mark) =>
      drainNode(client, p.node, { ...p, now: ctx.now }, mark, new Date(ctx.now()), ctx.signal),
    ),
});
