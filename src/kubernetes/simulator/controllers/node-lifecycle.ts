import { type ClusterContext, TYPES } from '../cluster-context.ts';
import { field, type KubeObject } from '../objects.ts';
import { rfc3339 } from '../time-format.ts';
import { nodeReady } from './kubelet.ts';

/** A new node object, Ready, as a kubelet registers it. */
export function newNode(context: ClusterContext, name: string, index: number): KubeObject {
  const at = rfc3339(context.clock.now());
  return {
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
      },
    },
    spec: {},
    status: {
      conditions: [readyCondition(true, at)],
      addresses: [
        { type: 'InternalIP', address: `192.168.49.${index + 2}` },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: context.kubeletVersion,
        osImage: 'mend simulated node',
        kernelVersion: '6.1.0',
        containerRuntimeVersion: 'containerd://1.7.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    },
  };
}

function readyCondition(ready: boolean, at: string) {
  return ready
    ? {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: at,
        lastTransitionTime: at,
      }
    : {
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: at,
        lastTransitionTime: at,
      };
}

/** A node's kubelet stops (NotReady) or comes back (Ready), as a scenario says. */
export function setNodeReady(context: ClusterContext, name: string, ready: boolean): void {
  const { store, events, clock } = context;
  const node = store.update(TYPES.node, undefined, name, (n) => {
    if (nodeReady(n) === ready) return false;
    const conditions = ((field(n, 'status', 'conditions') ?? []) as { type: string }[]).filter(
      (c) => c.type !== 'Ready',
    );
    n.status = {
      ...(n.status ?? {}),
      conditions: [readyCondition(ready, rfc3339(clock.now())), ...conditions],
    };
    return true;
  });
  if (!node) throw new Error(`no node named ${JSON.stringify(name)} in the simulated cluster`);
  events.record({
    about: { ...node, metadata: { ...node.metadata, namespace: 'default' } },
    type: 'Normal',
    reason: ready ? 'NodeReady' : 'NodeNotReady',
    message: `Node ${name} status is now: ${ready ? 'NodeReady' : 'NodeNotReady'}`,
    component: 'node-controller',
  });
}

/**
 * The node lifecycle controller: a pod on a NotReady node is marked not Ready (its kubelet no
 * longer reports), so its Deployment loses availability, as on a real cluster.
 */
export function reconcileNodes(context: ClusterContext): void {
  const { store, clock } = context;
  const lost = new Set(
    store
      .list(TYPES.node)
      .filter((n) => !nodeReady(n))
      .map((n) => n.metadata.name),
  );
  if (lost.size === 0) return;
  for (const pod of store.list(TYPES.pod)) {
    if (!lost.has(String(field(pod, 'spec', 'nodeName')))) continue;
    store.update(TYPES.pod, pod.metadata.namespace, pod.metadata.name, (p) => {
      const conditions = (
        (field(p, 'status', 'conditions') ?? []) as { type: string; status: string }[]
      ).map((c) =>
        (c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'True'
          ? {
              ...c,
              status: 'False',
              reason: 'NodeNotReady',
              lastTransitionTime: rfc3339(clock.now()),
            }
          : c,
      );
      p.status = { ...(p.status ?? {}), conditions };
      return true;
    });
  }
}
