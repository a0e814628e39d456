import { type ClusterContext, TYPES } from '../cluster-context.ts';
import { controllerOf } from '../objects.ts';
import { deletePodGracefully } from './replicaset-controller.ts';

/**
 * The garbage collector, for background propagation: a ReplicaSet whose Deployment is gone, or
 * a pod whose ReplicaSet is gone, is deleted too.
 */
export function collectGarbage(context: ClusterContext): void {
  const { store } = context;
  const deployments = new Set(store.list(TYPES.deployment).map((d) => d.metadata.uid));
  for (const rs of store.list(TYPES.replicaSet)) {
    const owner = controllerOf(rs);
    if (owner?.kind === 'Deployment' && !deployments.has(owner.uid)) {
      store.remove(TYPES.replicaSet, rs.metadata.namespace, rs.metadata.name);
    }
  }
  const replicaSets = new Set(store.list(TYPES.replicaSet).map((rs) => rs.metadata.uid));
  for (const pod of store.list(TYPES.pod)) {
    const owner = controllerOf(pod);
    if (owner?.kind === 'ReplicaSet' && !replicaSets.has(owner.uid))
      deletePodGracefully(context, pod);
  }
}
