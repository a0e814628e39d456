import { z } from 'zod';
import { duration } from '../../config/kinds/duration.ts';

const k8sName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
    error: 'expected a Kubernetes name (lowercase letters, digits, "-" and ".")',
  })
  .max(253);

const intOrPercent = z.union([
  z.int().min(0),
  z.string().regex(/^\d+%$/, { error: 'expected a count or a percentage such as 25%' }),
]);

const container = z.strictObject({
  /** The image, exactly, or a prefix ending in `*`. */
  image: z.string().min(1).optional(),
  podLabels: z.record(z.string(), z.string()).optional(),
  behaviour: z.enum(['ok', 'crashLoop', 'oomKilled', 'imagePullBackOff', 'notReady']),
  /** How long a crashing container runs before it exits. */
  runFor: duration().optional(),
  exitCode: z.int().min(1).max(255).optional(),
  logs: z.array(z.string()).max(10_000).optional(),
  readyAfter: duration().optional(),
});

const deployment = z.strictObject({
  name: k8sName,
  namespace: k8sName.default('default'),
  replicas: z.int().min(0).max(1000).default(1),
  image: z.string().min(1),
  containerName: k8sName.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  progressDeadlineSeconds: z.int().min(1).optional(),
  maxSurge: intOrPercent.optional(),
  maxUnavailable: intOrPercent.optional(),
});

const faultMatch = z.strictObject({
  verb: z
    .enum(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'])
    .optional(),
  resource: z.string().optional(),
  subresource: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
});

export const faultSchema = z
  .strictObject({
    match: faultMatch.default({}),
    after: z.int().min(0).optional(),
    times: z.int().min(1).optional(),
    respond: z
      .strictObject({
        code: z.int().min(400).max(599),
        message: z.string().optional(),
        retryAfterSeconds: z.int().min(0).max(3600).optional(),
      })
      .optional(),
    reset: z.literal(true).optional(),
    delay: duration().optional(),
    cutWatchAfterEvents: z.int().min(0).optional(),
    expireWatch: z.literal(true).optional(),
  })
  .refine(
    (f) =>
      [f.respond, f.reset, f.delay, f.cutWatchAfterEvents, f.expireWatch].filter(
        (a) => a !== undefined,
      ).length === 1,
    { error: 'expected exactly one of respond, reset, delay, cutWatchAfterEvents or expireWatch' },
  );

/**
 * Pods of a Deployment that go bad while they run (a poisoned cache, a leak, a stuck worker):
 * pods created afterwards follow the container rules again, so a restart heals them.
 */
const breakPods = z.strictObject({
  deployment: k8sName,
  namespace: k8sName.default('default'),
  /** How many of its running pods (oldest name first); default one. */
  pods: z.int().min(1).max(1000).default(1),
  behaviour: z.enum(['crashLoop', 'oomKilled', 'notReady']),
  runFor: duration().optional(),
  exitCode: z.int().min(1).max(255).optional(),
  /** Lines the broken instance writes before it goes bad (what `logs --previous` shows). */
  logs: z.array(z.string()).max(10_000).optional(),
});

const step = z
  .strictObject({
    /** When, from the scenario's start. */
    at: duration(),
    /** What happens, in words (the demo's feed prints it when the step runs). */
    describe: z.string().min(1).max(300).optional(),
    nodeNotReady: k8sName.optional(),
    nodeReady: k8sName.optional(),
    fault: faultSchema.optional(),
    clearFaults: z.literal(true).optional(),
    /** Replaces the container behaviours (containers started from then on follow them). */
    containers: z.array(container).optional(),
    setImage: z
      .strictObject({
        deployment: k8sName,
        namespace: k8sName.default('default'),
        image: z.string().min(1),
      })
      .optional(),
    breakPods: breakPods.optional(),
  })
  .refine(
    (s) =>
      [
        s.nodeNotReady,
        s.nodeReady,
        s.fault,
        s.clearFaults,
        s.containers,
        s.setImage,
        s.breakPods,
      ].filter((a) => a !== undefined).length === 1,
    {
      error:
        'expected exactly one action: nodeNotReady, nodeReady, fault, clearFaults, containers, setImage or breakPods',
    },
  );

const kubeObject = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
});

/** A simulated cluster's story: what is there at the start, and what happens when. */
export const scenarioSchema = z.strictObject({
  apiVersion: z.literal('mend/v1'),
  kind: z.literal('KubernetesScenario'),
  metadata: z.strictObject({ name: k8sName, description: z.string().optional() }),
  spec: z.strictObject({
    kubernetesVersion: z
      .enum(['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'])
      .default('1.32'),
    discovery: z.enum(['aggregated', 'legacy']).default('aggregated'),
    nodes: z.array(k8sName).min(1).max(100).default(['node-1', 'node-2']),
    namespaces: z.array(k8sName).default([]),
    timing: z
      .strictObject({
        start: duration().optional(),
        readyAfter: duration().optional(),
        backoff: duration().optional(),
        termination: duration().optional(),
      })
      .default({}),
    users: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          token: z.string().min(16).optional(),
          groups: z.array(z.string()).default([]),
        }),
      )
      .default([]),
    deployments: z.array(deployment).default([]),
    containers: z.array(container).default([]),
    objects: z.array(kubeObject).default([]),
    timeline: z.array(step).default([]),
  }),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioContainer = z.infer<typeof container>;
export type ScenarioFault = z.infer<typeof faultSchema>;
export type ScenarioStep = z.infer<typeof step>;
export type ScenarioBreakPods = z.infer<typeof breakPods>;
