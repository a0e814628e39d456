import { z } from 'zod';
import { need } from '../../../kubernetes/access/permission.ts';
import {
  describeDeployment,
  objectEvents,
  podLogs,
  podsToRead,
} from '../../../kubernetes/actions/evidence.ts';
import { cutCredentials } from '../../../secrets/credential-patterns.ts';
import { Refusal } from '../../template-values.ts';
import { defineStepKind, type PrepareContext } from '../step-kind.ts';
import {
  deploymentFields,
  describeTarget,
  type PreparedTarget,
  prepareDeployment,
  preparePod,
  withClient,
} from './kube-step.ts';

/** A Deployment, its ReplicaSets and its pods read: what a description and its events need. */
const DESCRIBE_NEEDS = [
  need('get', 'apps', 'deployments'),
  need('list', 'apps', 'replicasets'),
  need('list', '', 'pods'),
];

/** One pod by name, or the Deployment (the step's own or the service's). */
function podOrDeployment(
  spec: {
    namespace?: string | undefined;
    deployment?: string | undefined;
    context?: string | undefined;
    pod?: string | undefined;
  },
  ctx: PrepareContext,
): { base: PreparedTarget; pod: string | undefined } {
  if (spec.pod === undefined) return { base: prepareDeployment(spec, ctx), pod: undefined };
  const base = preparePod({ ...spec, pod: spec.pod }, ctx);
  return { base, pod: base.name };
}

export const podLogsStep = defineStepKind({
  name: 'podLogs',
  summary:
    'The last lines of pods’ logs, current and previous container (the crash), as `kubectl logs --tail [--previous]`: one pod, or a Deployment’s most restarted ones; bounded, credentials cut.',
  spec: z.strictObject({
    ...deploymentFields,
    pod: z
      .string()
      .min(1)
      .optional()
      .describe('One pod by name (templates allowed), instead of the Deployment’s.'),
    container: z
      .string()
      .min(1)
      .optional()
      .describe('One container. Default: every container of the pod.'),
    tailLines: z.int().min(1).max(10_000).default(100).describe('Last lines per log. Default 100.'),
    previous: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe('The previous instance’s log too: `auto` (default) when the container restarted.'),
    maxPods: z
      .int()
      .min(1)
      .max(20)
      .default(3)
      .describe('Of a Deployment, the pods restarted most. Default 3.'),
  }),
  sections: ['evidence'],
  // One pod: GET it; a Deployment: GET it and list its pods. Then each log.
  kubernetes: {
    needs: (spec) => [
      ...(spec.pod !== undefined
        ? [need('get', '', 'pods')]
        : [need('get', 'apps', 'deployments'), need('list', '', 'pods')]),
      need('get', '', 'pods/log'),
    ],
  },
  idempotent: true,
  defaultTimeoutMs: () => 30_000,
  prepare(spec, ctx) {
    const { base, pod } = podOrDeployment(spec, ctx);
    if (spec.container !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(spec.container)) {
      throw new Refusal(
        `container: expected a container name (DNS-1123 label), found ${JSON.stringify(spec.container)}`,
      );
    }
    return {
      ...base,
      pod,
      container: spec.container,
      tailLines: spec.tailLines,
      previous: spec.previous,
      maxPods: spec.maxPods,
    };
  },
  describe: (p) => ({
    ...describeTarget(p),
    ...(p.pod !== undefined ? { pod: p.pod } : {}),
    ...(p.container !== undefined ? { container: p.container } : {}),
    tailLines: p.tailLines,
    previous: p.previous,
    maxPods: p.maxPods,
  }),
  summarize: (c) =>
    `kubectl logs ${c.pod ? `pod/${c.pod}` : `deployment/${c.name}`} -n ${c.namespace} --tail=${c.tailLines}${c.previous === 'never' ? '' : ' (and --previous)'}`,
  statusName: 'status',
  execute: (p, ctx) =>
    withClient(p.context, ctx, async (client) => {
      const pods = await podsToRead(
        client,
        {
          namespace: p.namespace,
          ...(p.pod !== undefined ? { pod: p.pod } : { deployment: p.name }),
        },
        p.maxPods,
        ctx.signal,
      );
      const read = await podLogs(
        client,
        pods,
        {
          container: p.container,
          tailLines: p.tailLines,
          previous: p.previous,
          maxBytes: ctx.maxOutputBytes,
        },
        ctx.signal,
      );
      return { ok: true, output: cutCredentials(read.text), data: { logs: read.logs } };
    }),
});

export const kubernetesEventsStep = defineStepKind({
  name: 'kubernetesEvents',
  summary: 'The events of a Deployment, its ReplicaSets and its pods (or of one pod), newest last.',
  spec: z.strictObject({
    ...deploymentFields,
    pod: z.string().min(1).optional().describe('One pod by name instead (templates allowed).'),
    maxPods: z
      .int()
      .min(1)
      .max(50)
      .default(10)
      .describe('Of a Deployment, at most this many pods’ events. Default 10.'),
    limit: z
      .int()
      .min(1)
      .max(1000)
      .default(100)
      .describe('At most this many events, the newest. Default 100.'),
  }),
  sections: ['evidence'],
  // A Deployment's objects first (it, its ReplicaSets, its pods), then events by field selector.
  kubernetes: {
    needs: (spec) => [
      ...(spec.pod !== undefined ? [] : DESCRIBE_NEEDS),
      need('list', '', 'events'),
    ],
  },
  idempotent: true,
  defaultTimeoutMs: () => 30_000,
  prepare(spec, ctx) {
    const { base, pod } = podOrDeployment(spec, ctx);
    return {
      ...base,
      ...(pod !== undefined ? { name: pod } : {}),
      kind: pod !== undefined ? ('Pod' as const) : ('Deployment' as const),
      maxPods: spec.maxPods,
      limit: spec.limit,
    };
  },
  describe: (p) => ({ ...describeTarget(p), kind: p.kind, maxPods: p.maxPods, limit: p.limit }),
  summarize: (c) =>
    `kubectl get events -n ${c.namespace} (${String(c.kind).toLowerCase()}/${c.name} and its objects)`,
  statusName: 'status',
  execute: (p, ctx) =>
    withClient(p.context, ctx, async (client) => {
      const read = await objectEvents(client, p, p.kind, p.maxPods, p.limit, ctx.signal);
      const warnings = read.events.filter((e) => e.type === 'Warning').length;
      return {
        ok: true,
        output: cutCredentials(read.text),
        data: { events: read.events.length, warnings },
      };
    }),
});

export const kubernetesDescribeStep = defineStepKind({
  name: 'kubernetesDescribe',
  summary:
    'A Deployment described: spec in short, conditions, rollout state, ReplicaSets with revisions, pods with restart counts and why they last ended.',
  spec: z.strictObject({ ...deploymentFields }),
  sections: ['evidence'],
  kubernetes: { needs: () => DESCRIBE_NEEDS },
  idempotent: true,
  defaultTimeoutMs: () => 30_000,
  prepare: prepareDeployment,
  describe: describeTarget,
  summarize: (c) => `kubectl describe deployment/${c.name} -n ${c.namespace}`,
  statusName: 'status',
  execute: (p, ctx) =>
    withClient(p.context, ctx, async (client) => {
      const described = await describeDeployment(client, p, ctx.signal);
      return { ok: true, output: described.text, data: described.data };
    }),
});
