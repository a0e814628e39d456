import type { Config, ReplicaSettings } from '../config/config.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import type { ReplicaStore } from '../store/replica-records.ts';
import type { StoreLock } from '../store/store-lock.ts';
import type { LeaderElection } from './leader-election.ts';
import type { ReplicaGroup } from './replica-group.ts';
import type { ReplicaStatus } from './status.ts';

// How `mend run` sets up replicas from its options and Settings (src/controller.ts wires them).

/** Replicas: asked for by `--replica` or Settings replicas.enabled; undefined: one runner. */
export function replicaSettingsOf(
  replicaFlag: boolean | undefined,
  config: Config,
): ReplicaSettings | undefined {
  const settings = config.settings.replicas;
  if (replicaFlag !== true && settings?.enabled !== true) return undefined;
  return { ...settings, enabled: true, leaseMs: settings?.leaseMs ?? DEFAULT_LEASE_MS };
}

/**
 * The election Settings asks for: a Kubernetes Lease (its client loaded only then), or the
 * store's lease row (undefined: the group's default).
 */
export async function electionOf(
  settings: ReplicaSettings,
  store: ReplicaStore,
  id: string,
): Promise<LeaderElection | undefined> {
  const lease = settings.kubernetesLease;
  if (lease === undefined) return undefined;
  const [{ kubeClient }, { kubernetesLeaseElection }] = await Promise.all([
    import('../kubernetes/client/kube-client.ts'),
    import('./kubernetes-lease-election.ts'),
  ]);
  return kubernetesLeaseElection({
    client: await kubeClient(lease.context),
    namespace: lease.namespace,
    name: lease.name,
    id,
    leaseMs: settings.leaseMs,
    store,
  });
}

/** The lease when Settings does not say (as its schema's default). */
const DEFAULT_LEASE_MS = 10_000;

export function replicaMember(owner: StoreLock['owner']) {
  const suffix = Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return {
    id: `${owner.hostname}-${owner.pid}-${suffix}`,
    host: owner.hostname,
    pid: owner.pid,
    startedAt: owner.since,
  };
}

export async function statusOf(
  group: ReplicaGroup | undefined,
  opened: KyselyStore,
  pid: number,
): Promise<ReplicaStatus> {
  if (group !== undefined) return group.status();
  // One runner: the status of a store without replicas, this process alone and always leading.
  const { now } = await opened.replicas().lease();
  return { mode: 'single', pid, now, leaseMs: 0, leader: undefined, epoch: 0, replicas: [] };
}
