import { KubeApiError } from '../kubernetes/client/api-error.ts';
import type { KubeClient } from '../kubernetes/client/kube-client.ts';
import type { Leadership, ReplicaStore } from '../store/replica-records.ts';
import type { LeaderElection } from './leader-election.ts';

/** Where the Lease is, and who this replica is in it. */
export interface KubernetesLeaseOptions {
  client: Pick<KubeClient, 'json'>;
  namespace: string;
  name: string;
  /** This replica's id: the Lease's holderIdentity. */
  id: string;
  leaseMs: number;
  /** The store whose epoch fences the decisions, whoever elects. */
  store: Pick<ReplicaStore, 'seize' | 'renew' | 'release'>;
  /** This host's monotonic clock (ms): how long the Lease was seen unchanged. */
  now?: () => number;
  /** The wall clock, for the Lease's acquireTime and renewTime. */
  wallClock?: () => number;
}

interface LeaseObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/**
 * Leader election by a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it:
 * the Lease names its holder and is renewed by it; another replica takes it once it has seen the
 * Lease unchanged for a lease duration on its own clock (never by comparing the holder's
 * timestamps with its own clock), with an update that carries the resourceVersion it read, so
 * of two racing only one succeeds (the other gets 409 Conflict).
 *
 * The fencing stays in the store: a replica that won the Lease takes the store's lease row too
 * (`seize`, the epoch up by one), and every decision write is checked against that epoch. Two
 * replicas that both believed they held the Lease for a moment (one paused between its win and
 * its seize) cannot both act: the later seize fences the earlier, which then steps down.
 */
export function kubernetesLeaseElection(options: KubernetesLeaseOptions): LeaderElection {
  const now = options.now ?? (() => performance.now());
  const wallClock = options.wallClock ?? Date.now;
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(options.namespace)}/leases`;
  const durationSeconds = Math.max(1, Math.ceil(options.leaseMs / 1000));
  /** The Lease as last read, and when (this host's clock) it was first seen as it is. */
  let observed: { record: string; at: number } | undefined;

  const request = <T>(method: 'GET' | 'POST' | 'PUT', at: string, body?: unknown) =>
    options.client.json<T>({
      method,
      path: at,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(Math.max(1000, options.leaseMs / 2)),
    });

  const read = async (): Promise<LeaseObject | undefined> => {
    try {
      const lease = await request<LeaseObject>(
        'GET',
        `${path}/${encodeURIComponent(options.name)}`,
      );
      const record = JSON.stringify(lease.spec);
      if (observed?.record !== record) observed = { record, at: now() };
      return lease;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  };

  const spec = (lease: LeaseObject | undefined, taking: boolean): LeaseObject['spec'] => {
    const stamp = microTime(wallClock());
    const held = lease?.spec;
    return {
      holderIdentity: options.id,
      leaseDurationSeconds: durationSeconds,
      acquireTime: taking || held?.acquireTime === undefined ? stamp : held.acquireTime,
      renewTime: stamp,
      leaseTransitions: (held?.leaseTransitions ?? 0) + (taking && held !== undefined ? 1 : 0),
    };
  };

  /** Writes the Lease as ours; false when another replica wrote it first (409). */
  const write = async (lease: LeaseObject | undefined, taking: boolean): Promise<boolean> => {
    const body: LeaseObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: options.name,
        namespace: options.namespace,
        ...(lease?.metadata.resourceVersion !== undefined
          ? { resourceVersion: lease.metadata.resourceVersion }
          : {}),
      },
      spec: spec(lease, taking),
    };
    try {
      const written =
        lease === undefined
          ? await request<LeaseObject>('POST', path, body)
          : await request<LeaseObject>('PUT', `${path}/${encodeURIComponent(options.name)}`, body);
      observed = { record: JSON.stringify(written.spec), at: now() };
      return true;
    } catch (err) {
      // Another replica created or updated it since we read it: it won this round.
      if (err instanceof KubeApiError && (err.status === 409 || err.status === 422)) return false;
      throw err;
    }
  };

  const heldByOther = (lease: LeaseObject): boolean => {
    const holder = lease.spec.holderIdentity;
    if (holder === undefined || holder === '' || holder === options.id) return false;
    const durationMs = (lease.spec.leaseDurationSeconds ?? durationSeconds) * 1000;
    return observed !== undefined && now() - observed.at < durationMs;
  };

  return {
    async campaign(): Promise<Leadership | undefined> {
      const lease = await read();
      if (lease !== undefined && heldByOther(lease)) return undefined;
      if (!(await write(lease, lease?.spec.holderIdentity !== options.id))) return undefined;
      return options.store.seize(options.id, options.leaseMs);
    },
    async renew(epoch: number): Promise<Leadership | undefined> {
      const lease = await read();
      if (lease === undefined || lease.spec.holderIdentity !== options.id) return undefined;
      if (!(await write(lease, false))) return undefined;
      return options.store.renew(options.id, epoch, options.leaseMs);
    },
    async release(epoch: number): Promise<void> {
      // As client-go's ReleaseOnCancel: the holder emptied, a lease of a second, so the next
      // replica takes it at once instead of a lease duration later.
      const lease = await read();
      if (lease?.spec.holderIdentity === options.id) {
        const body = {
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 },
        };
        await request('PUT', `${path}/${encodeURIComponent(options.name)}`, body).catch(() => {});
      }
      await options.store.release(options.id, epoch);
    },
  };
}

/** A Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
