import type { LeaderLease, StoredReplica } from '../store/replica-records.ts';

/** What `mend status` and GET /api/v1/status say about the replicas of one store. */
export interface ReplicaStatus {
  /** `single`: one runner without replicas (`pid`); `replicas`: several on a PostgreSQL store. */
  mode: 'single' | 'replicas';
  /** The process that answered. */
  pid: number;
  /** The database's clock when it was read. */
  now: number;
  leaseMs: number;
  /** The lease's holder while its lease holds; undefined when nobody leads now. */
  leader: { id: string; epoch: number; acquiredAt: number; expiresAt: number } | undefined;
  /** The fencing token now (it stays when a leader lets go; the next takeover adds one). */
  epoch: number;
  replicas: ReplicaView[];
}

export interface ReplicaView {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
  /** How long ago its last heartbeat was (the database's clock). */
  heartbeatLagMs: number;
  /** Its heartbeat is within the lease: it probes its share. */
  live: boolean;
  leader: boolean;
  /** How many checks it probes, as its last heartbeat said. */
  checks: number;
  address?: string;
}

/** The status from what the store holds. Pure. */
export function replicaStatus(read: {
  now: number;
  leaseMs: number;
  lease: LeaderLease;
  replicas: readonly StoredReplica[];
}): ReplicaStatus {
  const { now, lease, leaseMs } = read;
  const holds = lease.holder !== undefined && lease.expiresAt >= now;
  return {
    mode: 'replicas',
    pid: process.pid,
    now,
    leaseMs,
    leader: holds
      ? {
          id: lease.holder!,
          epoch: lease.epoch,
          acquiredAt: lease.acquiredAt,
          expiresAt: lease.expiresAt,
        }
      : undefined,
    epoch: lease.epoch,
    replicas: read.replicas.map((replica) => ({
      id: replica.id,
      host: replica.host,
      pid: replica.pid,
      startedAt: replica.startedAt,
      heartbeatAt: replica.heartbeatAt,
      heartbeatLagMs: Math.max(0, now - replica.heartbeatAt),
      live: now - replica.heartbeatAt <= leaseMs,
      leader: holds && lease.holder === replica.id,
      checks: replica.checks,
      ...(replica.address !== undefined ? { address: replica.address } : {}),
    })),
  };
}
