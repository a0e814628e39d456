import { TYPES } from '../kubernetes/simulator/cluster-context.ts';
import type { KubeObject } from '../kubernetes/simulator/objects.ts';
import type { SimulatedCluster } from '../kubernetes/simulator/simulated-cluster.ts';

/** A pod's container entering CrashLoopBackOff, as the API server's object said it first. */
export interface CrashLoop {
  namespace: string;
  pod: string;
  /** When the pod's status first said CrashLoopBackOff (the cluster's clock, epoch ms). */
  at: number;
}

const inCrashLoop = (pod: KubeObject | undefined) =>
  (
    ((pod?.status as { containerStatuses?: unknown[] } | undefined)?.containerStatuses ?? []) as {
      state?: { waiting?: { reason?: string } };
    }[]
  ).some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff');

/**
 * Every pod of the cluster that enters CrashLoopBackOff, the first time it does, timed at the
 * write in the API server's store: the moment a watch could first see it. The start of the
 * demo's "CrashLoopBackOff to heal decision" figure.
 */
export function recordCrashLoops(cluster: SimulatedCluster): {
  crashLoops: CrashLoop[];
  stop(): void;
} {
  const crashLoops: CrashLoop[] = [];
  const seen = new Set<string>();
  const stop = cluster.store.subscribe((change) => {
    if (change.resource !== TYPES.pod || change.type === 'DELETED') return;
    const uid = change.object.metadata.uid ?? change.object.metadata.name;
    if (seen.has(uid) || !inCrashLoop(change.object) || inCrashLoop(change.previous)) return;
    seen.add(uid);
    crashLoops.push({
      namespace: change.object.metadata.namespace ?? 'default',
      pod: change.object.metadata.name,
      at: cluster.context.clock.now(),
    });
  });
  return { crashLoops, stop };
}
