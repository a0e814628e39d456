import { parseDuration } from '../../config/kinds/duration.ts';
import { TYPES } from './cluster-context.ts';
import type { FaultAction, FaultRule } from './faults.ts';
import { field, type KubeObject } from './objects.ts';
import type { BehaviourRule, BehaviourTiming, ContainerBehaviour } from './pod-behaviour.ts';
import type {
  Scenario,
  ScenarioBreakPods,
  ScenarioContainer,
  ScenarioFault,
  ScenarioStep,
} from './scenario-schema.ts';
import { type ClusterOptions, SimulatedCluster } from './simulated-cluster.ts';

const ms = (text: string | undefined) => (text === undefined ? undefined : parseDuration(text));

function behaviourOf(
  c: Pick<ScenarioContainer, 'behaviour' | 'runFor' | 'exitCode' | 'image'>,
): ContainerBehaviour {
  const runForMs = ms(c.runFor) ?? 500;
  switch (c.behaviour) {
    case 'crashLoop':
      return { kind: 'crash', runForMs, exitCode: c.exitCode ?? 1, reason: 'Error' };
    case 'oomKilled':
      return { kind: 'crash', runForMs, exitCode: 137, reason: 'OOMKilled' };
    case 'imagePullBackOff':
      return {
        kind: 'image-pull',
        message: `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image ?? ''}": not found`,
      };
    case 'notReady':
      return { kind: 'not-ready' };
    default:
      return { kind: 'ok' };
  }
}

/** A scenario's container entries as the kubelet's behaviour rules. */
export function behaviourRules(containers: readonly ScenarioContainer[]): BehaviourRule[] {
  return containers.map((c) => ({
    ...(c.image === undefined ? {} : { image: c.image }),
    ...(c.podLabels === undefined ? {} : { podLabels: c.podLabels }),
    behaviour: behaviourOf(c),
    ...(c.logs === undefined ? {} : { logs: c.logs }),
    ...(c.readyAfter === undefined ? {} : { timing: { readyAfterMs: ms(c.readyAfter)! } }),
  }));
}

/** A scenario's fault entry as a fault rule. */
export function faultRule(f: ScenarioFault): FaultRule {
  const action: FaultAction = f.respond
    ? { respond: f.respond }
    : f.reset
      ? { reset: true }
      : f.delay !== undefined
        ? { delayMs: ms(f.delay)! }
        : f.cutWatchAfterEvents !== undefined
          ? { cutWatchAfterEvents: f.cutWatchAfterEvents }
          : { expireWatch: true };
  return {
    match: f.match,
    ...(f.after === undefined ? {} : { after: f.after }),
    ...(f.times === undefined ? {} : { times: f.times }),
    action,
  };
}

export function deploymentObject(d: Scenario['spec']['deployments'][number]): KubeObject {
  const labels = d.labels ?? { app: d.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, namespace: d.namespace, labels },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: labels },
      ...(d.progressDeadlineSeconds === undefined
        ? {}
        : { progressDeadlineSeconds: d.progressDeadlineSeconds }),
      ...(d.maxSurge === undefined && d.maxUnavailable === undefined
        ? {}
        : {
            strategy: {
              type: 'RollingUpdate',
              rollingUpdate: {
                ...(d.maxSurge === undefined ? {} : { maxSurge: d.maxSurge }),
                ...(d.maxUnavailable === undefined ? {} : { maxUnavailable: d.maxUnavailable }),
              },
            },
          }),
      template: {
        metadata: { labels },
        spec: { containers: [{ name: d.containerName ?? d.name, image: d.image }] },
      },
    },
  };
}

export interface ScenarioRunOptions extends ClusterOptions {
  /** Told of each timeline step as it runs (the demo's feed), with what it did or why it failed. */
  onStep?: (step: ScenarioStep, outcome: { error?: Error; pods?: string[] }) => void;
  /** Start the timeline later, with `startTimeline()` (the demo: once mend runs), or never. */
  holdTimeline?: boolean;
}

export interface RunningScenario {
  cluster: SimulatedCluster;
  /** The tokens of the scenario's users, by user name. */
  tokens: Map<string, string>;
  /** Starts the timeline now (its `at` times count from here), when it was held. Once. */
  startTimeline(): void;
  stop(): Promise<void>;
}

/**
 * Starts a cluster as a scenario describes it: nodes, namespaces, users, objects and
 * deployments at once, then each timeline step at its time on the cluster's clock.
 */
export async function startScenario(
  scenario: Scenario,
  options: ScenarioRunOptions = {},
): Promise<RunningScenario> {
  const { spec } = scenario;
  const { onStep, holdTimeline, ...clusterOptions } = options;
  const timing: Partial<BehaviourTiming> = {
    ...(spec.timing.start ? { startMs: ms(spec.timing.start)! } : {}),
    ...(spec.timing.readyAfter ? { readyAfterMs: ms(spec.timing.readyAfter)! } : {}),
    ...(spec.timing.backoff ? { backoffMs: ms(spec.timing.backoff)! } : {}),
    ...(spec.timing.termination ? { terminationMs: ms(spec.timing.termination)! } : {}),
  };
  const namespaces = [
    ...new Set([...spec.namespaces, ...spec.deployments.map((d) => d.namespace)]),
  ];
  const cluster = await SimulatedCluster.start({
    minorVersion: spec.kubernetesVersion.split('.')[1]!,
    discovery: spec.discovery,
    nodes: spec.nodes,
    namespaces,
    timing,
    behaviours: behaviourRules(spec.containers),
    ...clusterOptions,
  });
  const tokens = new Map<string, string>();
  for (const user of spec.users)
    tokens.set(user.name, cluster.addUser(user.name, user.groups, user.token));
  try {
    for (const object of spec.objects) cluster.apply(object as KubeObject);
    for (const d of spec.deployments) cluster.apply(deploymentObject(d));
  } catch (err) {
    await cluster.stop();
    throw new Error(
      `scenario ${scenario.metadata.name}: cannot create its objects: ${(err as Error).message}`,
    );
  }
  const { clock } = cluster.context;
  const timers: unknown[] = [];
  let started = false;
  const startTimeline = () => {
    if (started) return;
    started = true;
    for (const s of spec.timeline) {
      const timer = clock.setTimeout(() => {
        let pods: string[] | undefined;
        try {
          pods = runStep(cluster, s);
        } catch (err) {
          onStep?.(s, { error: err as Error });
          return;
        }
        onStep?.(s, pods ? { pods } : {});
      }, ms(s.at)!);
      timers.push(timer);
    }
  };
  if (!holdTimeline) startTimeline();
  return {
    cluster,
    tokens,
    startTimeline,
    stop: async () => {
      started = true; // a timeline not started yet never starts
      for (const timer of timers) clock.clearTimeout(timer);
      await cluster.stop();
    },
  };
}

/** One timeline step's action; the pods it broke, for a breakPods step. */
function runStep(cluster: SimulatedCluster, s: ScenarioStep): string[] | undefined {
  if (s.nodeNotReady) cluster.setNodeReady(s.nodeNotReady, false);
  else if (s.nodeReady) cluster.setNodeReady(s.nodeReady, true);
  else if (s.fault) cluster.faults.add(faultRule(s.fault));
  else if (s.clearFaults) cluster.faults.clear();
  else if (s.containers) cluster.setBehaviours(behaviourRules(s.containers));
  else if (s.setImage) setImage(cluster, s.setImage);
  else if (s.breakPods) return breakPods(cluster, s.breakPods);
  return undefined;
}

function breakPods(cluster: SimulatedCluster, b: ScenarioBreakPods): string[] {
  const pods = cluster.breakPods(b.namespace, b.deployment, b.pods, behaviourOf(b), b.logs);
  if (pods.length === 0)
    throw new Error(`deployment ${b.namespace}/${b.deployment} has no running pod to break`);
  return pods;
}

/** Changes a deployment's first container image through the API's write path (a new rollout). */
function setImage(
  cluster: SimulatedCluster,
  change: { deployment: string; namespace: string; image: string },
): void {
  const deployment = cluster.store.get(TYPES.deployment, change.namespace, change.deployment);
  const containers = field(deployment, 'spec', 'template', 'spec', 'containers') as
    | { image: string }[]
    | undefined;
  if (!deployment || !containers?.[0]) return;
  containers[0].image = change.image;
  cluster.apply(deployment);
}
