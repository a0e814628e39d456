import type { Leadership, ReplicaStore } from '../store/replica-records.ts';

/**
 * How a replica becomes the one that decides. Whatever elects it, the fencing token is the
 * store's lease epoch: every decision write is checked against it (kysely-store.ts `fenced`),
 * so an election that goes wrong for a moment (two replicas each believing they lead) still
 * cannot make two of them act. The store's lease row is the one implementation today; a
 * Kubernetes Lease (coordination.k8s.io/v1) would be another, bumping the same epoch.
 */
export interface LeaderElection {
  /** Try to lead: the new leadership, or undefined while another replica holds the lease. */
  campaign(): Promise<Leadership | undefined>;
  /** Keep leading: the renewed leadership, or undefined when the lease was taken since. */
  renew(epoch: number): Promise<Leadership | undefined>;
  /** Stop leading, so another replica takes over at once. */
  release(epoch: number): Promise<void>;
}

/** The election by the store's lease row (`leader_lease`), under the database's clock. */
export function storeElection(store: ReplicaStore, id: string, leaseMs: number): LeaderElection {
  return {
    campaign: () => store.campaign(id, leaseMs),
    renew: (epoch) => store.renew(id, epoch, leaseMs),
    release: (epoch) => store.release(id, epoch),
  };
}
