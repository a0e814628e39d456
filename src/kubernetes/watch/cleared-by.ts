import { MARK } from '../actions/marks.ts';
import type { KubeObject } from '../actions/objects.ts';
import type { Condition } from './conditions.ts';

/** What the watch holds when a condition ends. */
export interface WatchedObjects {
  pods: readonly KubeObject[];
  nodes: readonly KubeObject[];
  deployments: readonly KubeObject[];
  /** Pods deleted since the last evaluation, as they last were (a mend mark on one says who). */
  gone?: readonly KubeObject[];
}

/**
 * Who or what ended a condition, in words for the incident: the pod gone (after mend's heal
 * when the pod, or its Deployment, carries a mend mark made since the condition began: a delete
 * pod marks the pod, a restart the Deployment, a drain the node; else not by mend), kubelet restarting the container in place (its restart count rose: not healed by
 * mend), a node Ready again or no longer hosting the service, or the cause passing. Pure.
 */
export function clearedBy(condition: Condition, objects: WatchedObjects): string {
  const own =
    condition.kind === 'Node'
      ? objects.nodes.find((n) => n.metadata.name === condition.name)
      : condition.kind === 'Pod'
        ? [...objects.pods, ...(objects.gone ?? [])].find((p) => p.metadata.name === condition.pod)
        : undefined;
  const deployment = objects.deployments.find((d) => d.metadata.name === condition.deployment);
  const heal = markSince(own, condition.since) ?? markSince(deployment, condition.since);
  const byMend = heal ? `; mend acted since it fired: ${heal}` : '; no mend command acted on it';
  if (condition.kind === 'Node') {
    const node = objects.nodes.find((n) => n.metadata.name === condition.name);
    return node !== undefined && nodeReady(node)
      ? `node ${condition.name} is Ready again${byMend}`
      : `node ${condition.name} hosts no pod of the service any more${byMend}`;
  }
  if (condition.kind === 'Deployment') {
    return `deployment ${condition.name}: ${condition.reason} is over${byMend}`;
  }
  const pod = objects.pods.find((p) => p.metadata.name === condition.pod);
  if (pod === undefined || pod.metadata.deletionTimestamp !== undefined) {
    return `pod ${condition.pod} is gone${heal ? ` (after mend's ${heal})` : ' (deleted, not by mend: no mend mark on it or its Deployment since the signal)'}`;
  }
  const now = restartCountOf(pod, condition.container);
  if (condition.restartCount !== undefined && now > condition.restartCount) {
    return `kubelet restarted container ${condition.container} in place (restartCount ${condition.restartCount} -> ${now}) and it recovered; not healed by mend${heal ? ` (mend acted too: ${heal})` : ': no mend command acted on it'}`;
  }
  return `${condition.reason} of pod ${condition.pod} is over${byMend}`;
}

/** The mend mark on an object made since `since` (a second's slack), in words. */
function markSince(object: KubeObject | undefined, since: number): string | undefined {
  const annotations = object?.metadata.annotations;
  const heal = annotations?.[MARK.heal];
  const action = annotations?.[MARK.action];
  if (heal === undefined || action === undefined) return undefined;
  const at = Date.parse(action.slice(action.lastIndexOf(' at ') + 4));
  if (!Number.isNaN(at) && at + 1000 < since) return undefined;
  return `${action} (heal ${heal})`;
}

function nodeReady(node: KubeObject): boolean {
  const conditions = (node.status as { conditions?: { type: string; status: string }[] })
    ?.conditions;
  return conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

function restartCountOf(pod: KubeObject, container: string | undefined): number {
  const statuses =
    (pod.status as { containerStatuses?: { name: string; restartCount?: number }[] })
      ?.containerStatuses ?? [];
  return statuses.find((c) => c.name === container)?.restartCount ?? 0;
}
