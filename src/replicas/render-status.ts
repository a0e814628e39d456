import { formatTable } from '../support/text-table.ts';
import type { ReplicaStatus } from './status.ts';

/**
 * `mend status` as text: the leader and its epoch, then one line per replica with its share of
 * the checks and how old its heartbeat is. Pure.
 */
export function renderStatus(status: ReplicaStatus): string {
  if (status.mode === 'single') {
    return `one runner on this store (pid ${status.pid}), no replicas: it probes every check and decides\n`;
  }
  if (status.replicas.length === 0 && status.leader === undefined && status.epoch === 0) {
    // The store of a single `mend run`, as a first `mend status` finds it.
    return 'no replicas have run on this store: a `mend run` without --replica probes every check and decides alone (replicas: docs/replicas.md)\n';
  }
  const lease = `lease ${seconds(status.leaseMs)}`;
  const leader = status.leader
    ? `leader ${status.leader.id}, epoch ${status.leader.epoch} (since ${new Date(status.leader.acquiredAt).toISOString()}, lease until ${new Date(status.leader.expiresAt).toISOString()}); ${lease}`
    : `no leader now (epoch ${status.epoch}: the next leader takes ${status.epoch + 1}); ${lease}`;
  if (status.replicas.length === 0) return `${leader}\nno replicas have joined this store\n`;
  const live = status.replicas.filter((replica) => replica.live);
  const rows = status.replicas.map((replica) => [
    replica.id,
    replica.leader ? 'leader' : replica.live ? 'follower' : 'gone',
    String(replica.checks),
    seconds(replica.heartbeatLagMs),
    `${replica.host}:${replica.pid}`,
    replica.address ?? '-',
  ]);
  const table = formatTable(
    ['REPLICA', 'ROLE', 'CHECKS', 'HEARTBEAT LAG', 'HOST:PID', 'API'],
    rows,
  );
  return `${leader}\n${live.length} of ${status.replicas.length} replica(s) live\n${table}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
