/**
 * Whether a Deployment's rollout is done, failed or still going, by the rules of kubectl's
 * DeploymentStatusViewer (pkg/polymorphichelpers/rollout_status.go), in its order and with its
 * words. Pure.
 */
export type RolloutState =
  | { kind: 'done'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'waiting'; message: string };

interface DeploymentLike {
  metadata?: { name?: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: { type?: string; reason?: string }[];
  };
}

export function rolloutState(deployment: DeploymentLike): RolloutState {
  const name = deployment.metadata?.name ?? '';
  const status = deployment.status ?? {};
  const generation = deployment.metadata?.generation ?? 0;
  if (generation > (status.observedGeneration ?? 0)) {
    return { kind: 'waiting', message: 'Waiting for deployment spec update to be observed...' };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { kind: 'failed', message: `deployment "${name}" exceeded its progress deadline` };
  }
  const wanted = deployment.spec?.replicas;
  const updated = status.updatedReplicas ?? 0;
  const replicas = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const waiting = (what: string): RolloutState => ({
    kind: 'waiting',
    message: `Waiting for deployment "${name}" rollout to finish: ${what}...`,
  });
  if (wanted !== undefined && updated < wanted) {
    return waiting(`${updated} out of ${wanted} new replicas have been updated`);
  }
  if (replicas > updated)
    return waiting(`${replicas - updated} old replicas are pending termination`);
  if (available < updated)
    return waiting(`${available} of ${updated} updated replicas are available`);
  return { kind: 'done', message: `deployment "${name}" successfully rolled out` };
}
