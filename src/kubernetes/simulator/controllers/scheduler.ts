import { type ClusterContext, TYPES } from '../cluster-context.ts';
import { field, type KubeObject } from '../objects.ts';
import { rfc3339 } from '../time-format.ts';
import { nodeReady } from './kubelet.ts';

/**
 * The default scheduler: binds each pending pod to the Ready, schedulable node with the fewest
 * pods. When none fits, the pod stays Pending with PodScheduled=False/Unschedulable and a
 * FailedScheduling event, which is what a too-eager drain leads to.
 */
export function schedulePods(context: ClusterContext): void {
  const { store, events, clock } = context;
  const nodes = store.list(TYPES.node);
  const pods = store.list(TYPES.pod);
  const load = new Map<string, number>(nodes.map((n) => [n.metadata.name, 0]));
  for (const pod of pods) {
    const node = field(pod, 'spec', 'nodeName');
    if (typeof node === 'string') load.set(node, (load.get(node) ?? 0) + 1);
  }
  const fits = (n: KubeObject) => nodeReady(n) && field(n, 'spec', 'unschedulable') !== true;
  for (const pod of pods) {
    if (
      field(pod, 'spec', 'nodeName') !== undefined ||
      pod.metadata.deletionTimestamp !== undefined
    )
      continue;
    const candidates = nodes
      .filter(fits)
      .sort(
        (a, b) =>
          (load.get(a.metadata.name) ?? 0) - (load.get(b.metadata.name) ?? 0) ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
    const chosen = candidates[0];
    if (!chosen) {
      const already = (
        (field(pod, 'status', 'conditions') ?? []) as { type: string; status: string }[]
      ).some((c) => c.type === 'PodScheduled' && c.status === 'False');
      if (already) continue;
      const unschedulable = nodes.filter((n) => field(n, 'spec', 'unschedulable') === true).length;
      const notReady = nodes.filter((n) => !nodeReady(n)).length;
      const reasons = [
        ...(unschedulable ? [`${unschedulable} node(s) were unschedulable`] : []),
        ...(notReady
          ? [`${notReady} node(s) had untolerated taint {node.kubernetes.io/not-ready: }`]
          : []),
      ];
      const message = `0/${nodes.length} nodes are available: ${reasons.join(', ') || 'no nodes available to schedule pods'}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
      store.update(TYPES.pod, pod.metadata.namespace, pod.metadata.name, (p) => {
        p.status = {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message,
              lastProbeTime: null,
              lastTransitionTime: rfc3339(clock.now()),
            },
          ],
          qosClass: 'BestEffort',
        };
        return true;
      });
      events.record({
        about: pod,
        type: 'Warning',
        reason: 'FailedScheduling',
        message,
        component: 'default-scheduler',
      });
      continue;
    }
    const name = chosen.metadata.name;
    load.set(name, (load.get(name) ?? 0) + 1);
    store.update(TYPES.pod, pod.metadata.namespace, pod.metadata.name, (p) => {
      p.spec = { ...(p.spec ?? {}), nodeName: name };
      p.status = {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'True',
            lastProbeTime: null,
            lastTransitionTime: rfc3339(clock.now()),
          },
        ],
        qosClass: 'BestEffort',
      };
      return true;
    });
    events.record({
      about: pod,
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${name}`,
      component: 'default-scheduler',
    });
  }
}
