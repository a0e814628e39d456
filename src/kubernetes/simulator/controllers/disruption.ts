import { type ClusterContext, TYPES } from '../cluster-context.ts';
import { field, type KubeObject } from '../objects.ts';
import { selects } from '../selectors.ts';
import { podReady } from './pod-state.ts';
import { scaled } from './rollout-math.ts';

interface Budget {
  pdb: KubeObject;
  expected: number;
  healthy: number;
  desired: number;
  allowed: number;
}

/** What a PodDisruptionBudget allows now, counted from the pods it selects. */
export function evaluateBudget(context: ClusterContext, pdb: KubeObject): Budget {
  const pods = context.store
    .list(TYPES.pod, pdb.metadata.namespace)
    .filter((p) => selects(field(pdb, 'spec', 'selector'), p));
  const expected = pods.filter((p) => p.metadata.deletionTimestamp === undefined).length;
  const healthy = pods.filter(podReady).length;
  const minAvailable = field(pdb, 'spec', 'minAvailable');
  const maxUnavailable = field(pdb, 'spec', 'maxUnavailable');
  const desired =
    minAvailable !== undefined
      ? scaled(minAvailable, expected, true)
      : Math.max(0, expected - scaled(maxUnavailable ?? 0, expected, true));
  return { pdb, expected, healthy, desired, allowed: Math.max(0, healthy - desired) };
}

/** The budget an eviction of `pod` would violate, if any (the eviction then answers 429). */
export function blockingBudget(context: ClusterContext, pod: KubeObject): Budget | undefined {
  // An unready pod does not count toward any budget: evicting it costs nothing (IfHealthyBudget).
  if (!podReady(pod)) return undefined;
  return context.store
    .list(TYPES.pdb, pod.metadata.namespace)
    .filter((pdb) => selects(field(pdb, 'spec', 'selector'), pod))
    .map((pdb) => evaluateBudget(context, pdb))
    .find((budget) => budget.allowed <= 0);
}

/** The disruption controller: keeps each budget's status (what `kubectl get pdb` shows). */
export function reconcileBudgets(context: ClusterContext): void {
  for (const pdb of context.store.list(TYPES.pdb)) {
    const budget = evaluateBudget(context, pdb);
    context.store.update(TYPES.pdb, pdb.metadata.namespace, pdb.metadata.name, (current) => {
      current.status = {
        observedGeneration: current.metadata.generation ?? 1,
        currentHealthy: budget.healthy,
        desiredHealthy: budget.desired,
        expectedPods: budget.expected,
        disruptionsAllowed: budget.allowed,
      };
      return true;
    });
  }
}
