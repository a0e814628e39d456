import { field, type KubeObject } from '../objects.ts';

/** Whether a pod's Ready condition is True (and it is not terminating). */
export function podReady(pod: KubeObject): boolean {
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  const conditions = (field(pod, 'status', 'conditions') ?? []) as {
    type: string;
    status: string;
  }[];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}
