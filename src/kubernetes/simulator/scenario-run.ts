import { parseDuration } from '../../config/kinds/duration.ts';
import { TYPES } from './cluster-context.ts';
import type { FaultAction, FaultRule } from './faults.ts';
import { field, type KubeObject } from './objects.ts';
import type { BehaviourRule, BehaviourTiming, ContainerBehaviour } from './pod-behaviour.ts';
import type { Scenario, ScenarioContainer, ScenarioFault } from './scenario-schema.ts';
import { type ClusterOptions, SimulatedCluster } from './simulated-cluster.ts';

const ms = (text: string | undefined) => (text === undefined ? undefined : parseDuration(text));

function behaviourOf(c: ScenarioContainer): ContainerBehaviour {
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

export interface RunningScenario {
  cluster: SimulatedCluster;
  /** The tokens of the scenario's users, by user name. */
  tokens: Map<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts a cluster as a scenario describes it: nodes, namespaces, users, objects and
 * deployments at once, then each timeline step at its time on the cluster's clock.
 */
export async function startScenario(
  scenario: Scenario,
  options: ClusterOptions = {},
): Promise<RunningScenario> {
  const { spec } = scenario;
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
    ...options,
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
  const timers = spec.timeline.map((s) =>
    clock.setTimeout(() => {
      if (s.nodeNotReady) cluster.setNodeReady(s.nodeNotReady, false);
      else if (s.nodeReady) cluster.setNodeReady(s.nodeReady, true);
      else if (s.fault) cluster.faults.add(faultRule(s.fault));
      else if (s.clearFaults) cluster.faults.clear();
      else if (s.containers) cluster.setBehaviours(behaviourRules(s.containers));
      else if (s.setImage) setImage(cluster, s.setImage);
    }, ms(s.at)!),
  );
  return {
    cluster,
    tokens,
    stop: async () => {
      for (const timer of timers) clock.clearTimeout(timer);
      await cluster.stop();
    },
  };
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
