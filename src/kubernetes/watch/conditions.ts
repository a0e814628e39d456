import type { KubeObject } from '../actions/objects.ts';

/** What makes a watched workload fail, one word each: the `reason` label of its signal. */
export type ConditionReason =
  | 'CrashLoopBackOff'
  | 'OOMKilled'
  | 'ImagePullBackOff'
  | 'RestartsRising'
  | 'NotReady'
  | 'UnavailableReplicas'
  | 'ProgressDeadlineExceeded'
  | 'NodeNotReady';

export interface WatchSettings {
  notReadyForMs: number;
  restarts: number;
  windowMs: number;
}

/** A container's restart count rising: always kubelet's doing (mend replaces pods, never restarts one in place). */
export interface RestartFacts {
  from: number;
  to: number;
  /** Over how long the rise was seen (at most the window). */
  withinMs: number;
  by: 'kubelet';
}

/** One failing condition of one object. `key` is its identity while it lasts. */
export interface Condition {
  key: string;
  reason: ConditionReason;
  /** The object it is about. */
  kind: 'Pod' | 'Deployment' | 'Node';
  namespace: string;
  name: string;
  /** The Deployment it belongs to, when known. */
  deployment?: string;
  pod?: string;
  node?: string;
  container?: string;
  /** When its cause started (epoch ms). */
  since: number;
  /** One line, with the API's own words. */
  message: string;
  restarts?: RestartFacts;
  /** How the container last ended, when it did. */
  lastTermination?: { reason?: string; exitCode?: number; finishedAt?: string };
  restartCount?: number;
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { reason?: string; exitCode?: number; finishedAt?: string };
  };
  lastState?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string } };
}

interface StatusCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

const IMAGE_PULL = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
]);

/** The restart counts one container was seen with: when, and how many. */
type RestartHistory = { at: number; count: number }[];

/**
 * The conditions of one watched Service, from the objects its watch holds. Pure but for the
 * memory a condition needs across versions of an object (restart counts seen, since when a
 * crash loop or unavailable replicas lasts); time comes in as `now`. Each evaluation also says
 * when the answer can next change without a new event (`nextAt`: a pod reaching `notReadyFor`,
 * a restart leaving the window), so the watch wakes then and not on a poll.
 */
export class ServiceConditions {
  readonly #settings: WatchSettings;
  readonly #restarts = new Map<string, RestartHistory>();
  /** Crash loops firing, by pod uid/container: kept until the container is Ready for notReadyFor. */
  readonly #crashLoops = new Map<string, number>();
  readonly #unavailableSince = new Map<string, number>();
  /**
   * Crash loops and image pulls of pods of a Deployment, as last seen firing, by condition key.
   * A pod that goes away takes its condition with it, but the failure need not have gone: when a
   * rollout restart replaces a crash-looping pod, the new pods may crash too. Such a condition is
   * held until the Deployment is whole again (kubectl's rollout status rule), so the incident it
   * opened stays open through the heal and its verify, and a ladder sees its first rung fail.
   */
  readonly #held = new Map<string, Condition>();

  constructor(settings: WatchSettings) {
    this.#settings = settings;
  }

  /** Notes a pod's restart counts as seen now (every version of it, as it arrives). */
  observePod(pod: KubeObject, now: number): void {
    for (const c of containerStatuses(pod)) {
      const key = `${pod.metadata.uid ?? pod.metadata.name}/${c.name}`;
      const history = this.#restarts.get(key) ?? [];
      const count = c.restartCount ?? 0;
      if (history.at(-1)?.count !== count) history.push({ at: now, count });
      this.#restarts.set(key, history);
    }
  }

  /** Forgets what it noted of pods no longer there. */
  forget(livePods: Iterable<KubeObject>): void {
    const live = new Set<string>();
    for (const pod of livePods) live.add(pod.metadata.uid ?? pod.metadata.name);
    for (const map of [this.#restarts, this.#crashLoops]) {
      for (const key of map.keys()) {
        if (!live.has(key.slice(0, key.lastIndexOf('/')))) map.delete(key);
      }
    }
  }

  evaluate(
    input: {
      namespace: string;
      deployments: readonly KubeObject[];
      pods: readonly KubeObject[];
      nodes: readonly KubeObject[];
    },
    now: number,
  ): { conditions: Condition[]; nextAt: number | undefined } {
    const conditions: Condition[] = [];
    let nextAt: number | undefined;
    const wake = (at: number) => {
      if (at > now && (nextAt === undefined || at < nextAt)) nextAt = at;
    };
    for (const deployment of input.deployments) {
      conditions.push(...this.#deployment(deployment, input.namespace, now, wake));
    }
    const hosts = new Map<string, string[]>();
    for (const pod of input.pods) {
      if (pod.metadata.deletionTimestamp !== undefined) continue;
      const deployment = deploymentOf(pod, input.deployments);
      conditions.push(...this.#pod(pod, deployment, input.namespace, now, wake));
      const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
      if (node) hosts.set(node, [...(hosts.get(node) ?? []), pod.metadata.name]);
    }
    this.#holdGonePods(conditions, input.pods, input.deployments);
    for (const node of input.nodes) {
      const pods = hosts.get(node.metadata.name);
      if (pods === undefined) continue;
      const ready = conditionOf(node, 'Ready');
      if (ready?.status === 'True') continue;
      conditions.push({
        key: `Node/${node.metadata.name}/NodeNotReady`,
        reason: 'NodeNotReady',
        kind: 'Node',
        namespace: input.namespace,
        name: node.metadata.name,
        node: node.metadata.name,
        since: timeOf(ready?.lastTransitionTime) ?? now,
        message: `node ${node.metadata.name} is not Ready (${ready?.status ?? 'no Ready condition'}${ready?.reason ? `, ${ready.reason}` : ''}${ready?.message ? `: ${ready.message}` : ''}); it hosts ${pods.length} pod(s) of the service: ${pods.slice(0, 5).join(', ')}${pods.length > 5 ? ', ...' : ''}`,
      });
    }
    return { conditions, nextAt };
  }

  /** Adds the held conditions of pods gone from a Deployment not yet whole; forgets the rest. */
  #holdGonePods(
    conditions: Condition[],
    pods: readonly KubeObject[],
    deployments: readonly KubeObject[],
  ): void {
    const firing = new Set(conditions.map((c) => c.key));
    const live = new Set(
      pods.filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => p.metadata.name),
    );
    const held: Condition[] = [];
    for (const [key, condition] of this.#held) {
      if (firing.has(key)) continue;
      const deployment = deployments.find((d) => d.metadata.name === condition.deployment);
      // Still there and no longer failing: it cleared on its own. A Deployment gone or whole:
      // the failure went with the pod.
      if (live.has(condition.pod ?? '') || deployment === undefined || rolledOut(deployment)) {
        this.#held.delete(key);
        continue;
      }
      held.push({
        ...condition,
        message: `${condition.message}; the pod is gone, and this holds until deployment "${condition.deployment}" is rolled out and available again`,
      });
    }
    for (const c of conditions) {
      if (c.kind === 'Pod' && c.deployment !== undefined && HELD_WHEN_GONE.has(c.reason)) {
        this.#held.set(c.key, c);
      }
    }
    conditions.push(...held);
  }

  #deployment(
    deployment: KubeObject,
    namespace: string,
    now: number,
    wake: (at: number) => void,
  ): Condition[] {
    const out: Condition[] = [];
    const name = deployment.metadata.name;
    const base = { kind: 'Deployment' as const, namespace, name, deployment: name };
    const progressing = conditionOf(deployment, 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') {
      out.push({
        ...base,
        key: `Deployment/${name}/ProgressDeadlineExceeded`,
        reason: 'ProgressDeadlineExceeded',
        since: timeOf(progressing.lastTransitionTime) ?? now,
        message: `deployment "${name}" exceeded its progress deadline${progressing.message ? `: ${progressing.message}` : ''}`,
      });
    }
    const status = (deployment.status ?? {}) as { unavailableReplicas?: number };
    const unavailable = status.unavailableReplicas ?? 0;
    const key = deployment.metadata.uid ?? name;
    if (unavailable <= 0) {
      this.#unavailableSince.delete(key);
      return out;
    }
    const since = this.#unavailableSince.get(key) ?? now;
    this.#unavailableSince.set(key, since);
    const due = since + this.#settings.notReadyForMs;
    if (now < due) {
      wake(due);
      return out;
    }
    const replicas = Number((deployment.spec as { replicas?: number } | undefined)?.replicas ?? 0);
    out.push({
      ...base,
      key: `Deployment/${name}/UnavailableReplicas`,
      reason: 'UnavailableReplicas',
      since,
      message: `deployment "${name}" has ${unavailable} of ${replicas} replica(s) unavailable for ${seconds(now - since)}`,
    });
    return out;
  }

  #pod(
    pod: KubeObject,
    deployment: string | undefined,
    namespace: string,
    now: number,
    wake: (at: number) => void,
  ): Condition[] {
    const out: Condition[] = [];
    const name = pod.metadata.name;
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    const base = {
      kind: 'Pod' as const,
      namespace,
      name,
      pod: name,
      ...(deployment !== undefined ? { deployment } : {}),
      ...(node ? { node } : {}),
    };
    const uid = pod.metadata.uid ?? name;
    for (const c of containerStatuses(pod)) {
      const container = { ...base, container: c.name, restartCount: c.restartCount ?? 0 };
      const last = c.lastState?.terminated ?? c.state?.terminated;
      const ended = last ? { lastTermination: last } : {};
      const waiting = c.state?.waiting;
      const loopKey = `${uid}/${c.name}`;
      const endedWords = last
        ? ` (last ended ${last.reason ?? 'terminated'}, exit ${last.exitCode ?? '?'})`
        : '';
      if (waiting?.reason === 'CrashLoopBackOff' && !this.#crashLoops.has(loopKey)) {
        this.#crashLoops.set(loopKey, now);
      }
      const loopSince = this.#crashLoops.get(loopKey);
      if (loopSince !== undefined) {
        // A crash loop lasts until the container has been Ready for notReadyFor: it runs for a
        // while between back-offs, and one good minute is not a recovery.
        const readySince = c.ready === true ? timeOf(c.state?.running?.startedAt) : undefined;
        const clearAt =
          readySince === undefined ? undefined : readySince + this.#settings.notReadyForMs;
        if (clearAt !== undefined && now >= clearAt) this.#crashLoops.delete(loopKey);
        else {
          if (clearAt !== undefined) wake(clearAt);
          out.push({
            ...container,
            ...ended,
            key: `Pod/${name}/${c.name}/CrashLoopBackOff`,
            reason: 'CrashLoopBackOff',
            since: loopSince,
            message: `container ${c.name} of pod ${name} is in CrashLoopBackOff${endedWords}, restarted ${c.restartCount ?? 0} time(s) by kubelet${waiting?.message ? `: ${waiting.message}` : ''}`,
          });
        }
      }
      if (waiting?.reason !== undefined && IMAGE_PULL.has(waiting.reason)) {
        out.push({
          ...container,
          key: `Pod/${name}/${c.name}/ImagePullBackOff`,
          reason: 'ImagePullBackOff',
          since: timeOf(pod.metadata.creationTimestamp) ?? now,
          message: `container ${c.name} of pod ${name} cannot pull its image (${waiting.reason})${waiting.message ? `: ${waiting.message}` : ''}`,
        });
      }
      if (last?.reason === 'OOMKilled') {
        const at = timeOf(last.finishedAt) ?? now;
        const until = at + this.#settings.windowMs;
        if (now < until) {
          wake(until);
          out.push({
            ...container,
            ...ended,
            key: `Pod/${name}/${c.name}/OOMKilled`,
            reason: 'OOMKilled',
            since: at,
            message: `container ${c.name} of pod ${name} was OOMKilled (exit ${last.exitCode ?? 137}) at ${last.finishedAt ?? 'an unknown time'}, restarted ${c.restartCount ?? 0} time(s)`,
          });
        }
      }
      const rise = this.#rise(`${uid}/${c.name}`, now, wake);
      if (rise !== undefined && rise.to - rise.from >= this.#settings.restarts) {
        out.push({
          ...container,
          ...ended,
          key: `Pod/${name}/${c.name}/RestartsRising`,
          reason: 'RestartsRising',
          since: rise.since,
          restarts: {
            from: rise.from,
            to: rise.to,
            withinMs: now - rise.since,
            by: 'kubelet',
          },
          message: `container ${c.name} of pod ${name} was restarted by kubelet ${rise.to - rise.from} time(s) within ${seconds(this.#settings.windowMs)} (restartCount ${rise.from} -> ${rise.to})${endedWords}`,
        });
      }
    }
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return out;
    const ready = conditionOf(pod, 'Ready');
    if (ready?.status === 'True') return out;
    const since =
      timeOf(ready?.lastTransitionTime) ?? timeOf(pod.metadata.creationTimestamp) ?? now;
    const due = since + this.#settings.notReadyForMs;
    if (now < due) {
      wake(due);
      return out;
    }
    out.push({
      ...base,
      key: `Pod/${name}/NotReady`,
      reason: 'NotReady',
      since,
      message: `pod ${name} has not been Ready for ${seconds(now - since)}${ready?.reason ? ` (${ready.reason}${ready.message ? `: ${ready.message}` : ''})` : ''}${node ? ` on node ${node}` : ', not scheduled'}`,
    });
    return out;
  }

  /** The rise of a container's restart count within the window, and when the window next moves. */
  #rise(
    key: string,
    now: number,
    wake: (at: number) => void,
  ): { from: number; to: number; since: number } | undefined {
    const history = this.#restarts.get(key);
    if (history === undefined || history.length === 0) return undefined;
    const start = now - this.#settings.windowMs;
    // Drop what is older than the last sighting before the window: it no longer counts.
    while (history.length > 1 && history[1]!.at <= start) history.shift();
    const to = history.at(-1)!.count;
    const from = history[0]!.count;
    if (history.length > 1) wake(history[1]!.at + this.#settings.windowMs);
    return { from, to, since: history[1]?.at ?? history[0]!.at };
  }
}

/** Pod conditions that outlive their pod while its Deployment is not whole (see #held). */
const HELD_WHEN_GONE = new Set<ConditionReason>(['CrashLoopBackOff', 'ImagePullBackOff']);

/**
 * kubectl rollout status's rule: the controller saw the latest spec, every replica is updated and
 * available, and no old replica is left.
 */
function rolledOut(deployment: KubeObject): boolean {
  const wanted = Number((deployment.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  const status = (deployment.status ?? {}) as {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
  return (
    (status.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0) &&
    (status.updatedReplicas ?? 0) >= wanted &&
    (status.replicas ?? 0) <= (status.updatedReplicas ?? 0) &&
    (status.availableReplicas ?? 0) >= (status.updatedReplicas ?? 0)
  );
}

/** The Deployment of a pod: the first (by name) whose selector's matchLabels the pod carries. */
function deploymentOf(pod: KubeObject, deployments: readonly KubeObject[]): string | undefined {
  const labels = pod.metadata.labels ?? {};
  const sorted = [...deployments].sort((a, b) =>
    a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0,
  );
  for (const d of sorted) {
    const match = (d.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)
      ?.selector?.matchLabels;
    if (match && Object.entries(match).every(([k, v]) => labels[k] === v)) return d.metadata.name;
  }
  // A pod of a ReplicaSet `NAME-HASH`: the Deployment is NAME.
  const owner = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
  return owner?.replace(/-[a-z0-9]+$/, '');
}

function containerStatuses(pod: KubeObject): ContainerStatus[] {
  return (
    (pod.status as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses ?? []
  );
}

function conditionOf(object: KubeObject, type: string): StatusCondition | undefined {
  return ((object.status as { conditions?: StatusCondition[] } | undefined)?.conditions ?? []).find(
    (c) => c.type === type,
  );
}

function timeOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))}s`;
}
