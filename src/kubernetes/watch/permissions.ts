import type { KubernetesTarget } from '../../config/kinds/kubernetes-target.ts';

/**
 * One permission, as RBAC and a SelfSubjectAccessReview name it. `namespace` absent: a
 * cluster-scoped resource (a ClusterRole's rule).
 */
export interface KubePermission {
  verb: 'get' | 'list' | 'watch';
  /** The API group: '' for core (pods, nodes, events), 'apps' for deployments. */
  group: string;
  resource: string;
  namespace?: string;
}

/**
 * The namespace Kubernetes records node events in: a Node has no namespace, and the node
 * controller and kubelet write its events to `default` (as the simulator does).
 */
export const NODE_EVENTS_NAMESPACE = 'default';

/**
 * What watching a Service's workload needs (its `kubernetes.watch`): list and watch of the
 * workload and its pods in its namespace, list of events there (evidence), list and watch of
 * nodes (cluster-scoped: the nodes that host its pods), and list of events in `default` (where
 * node events are). Nothing when the Service does not watch. Read-only, every one.
 */
export function watchPermissions(target: KubernetesTarget | undefined): KubePermission[] {
  if (target?.watch === undefined) return [];
  const { namespace } = target;
  return [
    { verb: 'list', group: 'apps', resource: 'deployments', namespace },
    { verb: 'watch', group: 'apps', resource: 'deployments', namespace },
    { verb: 'list', group: '', resource: 'pods', namespace },
    { verb: 'watch', group: '', resource: 'pods', namespace },
    { verb: 'list', group: '', resource: 'events', namespace },
    { verb: 'list', group: '', resource: 'nodes' },
    { verb: 'watch', group: '', resource: 'nodes' },
    { verb: 'list', group: '', resource: 'events', namespace: NODE_EVENTS_NAMESPACE },
  ];
}
