/** A replica as it says itself in its heartbeat. */
export interface ReplicaMember {
  /** Unique per process (`host-pid-xxxx`): a restarted replica is a new member. */
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  /** How many checks it probes now: its share. */
  checks: number;
  /** Where its API listens (`http://127.0.0.1:9797`), when it serves one. */
  address?: string;
}

/** A replica as the store holds it, with its last heartbeat (the database's clock). */
export interface StoredReplica extends ReplicaMember {
  heartbeatAt: number;
}

/** The leader lease: who decides, under which fencing token, until when (the database's clock). */
export interface LeaderLease {
  /** Undefined: nobody leads (none yet, or the last leader let go). */
  holder: string | undefined;
  /** The fencing token: +1 on every takeover; every decision's write carries it. */
  epoch: number;
  acquiredAt: number;
  expiresAt: number;
}

/** Leading, as a won or renewed lease says it. */
export interface Leadership {
  epoch: number;
  expiresAt: number;
}

/** A signal in the leader's inbox, as a follower sent it. */
export interface InboxSignal {
  id: number;
  from: string;
  sentAt: number;
  /** The Signal, as JSON gave it back. */
  signal: unknown;
}

/**
 * What replicas share through the store: membership (heartbeats), the leader lease and its
 * epoch, and the followers' signals on their way to the leader. Every time is the database's
 * clock (`now`), so replicas on hosts whose clocks disagree still agree on who is gone.
 */
export interface ReplicaStore {
  /** The database's clock now, epoch ms. */
  now(): Promise<number>;
  /**
   * Writes this replica's heartbeat (inserted or updated), and forgets replicas whose heartbeat
   * is older than `forgetAfterMs`. Returns the heartbeat's time.
   */
  heartbeat(member: ReplicaMember, forgetAfterMs: number): Promise<number>;
  /** Every replica the store holds (live or not), oldest first, and the database's now. */
  listReplicas(): Promise<{ now: number; replicas: StoredReplica[] }>;
  /** This replica is stopping: its row goes, so the others reshare at once. */
  leave(id: string): Promise<void>;
  /**
   * Takes the lease if nobody holds it or its holder's lease ran out: the epoch goes up by one.
   * Undefined when another replica holds it.
   */
  campaign(id: string, leaseMs: number): Promise<Leadership | undefined>;
  /**
   * Takes the lease whoever holds it, the epoch up by one: for an election decided elsewhere (a
   * Kubernetes Lease won), whose winner must fence out whoever decided before it.
   */
  seize(id: string, leaseMs: number): Promise<Leadership>;
  /** Extends the lease this replica holds at `epoch`; undefined when it no longer holds it. */
  renew(id: string, epoch: number, leaseMs: number): Promise<Leadership | undefined>;
  /** Lets go of the lease (a clean stop), so another replica takes over at once. */
  release(id: string, epoch: number): Promise<void>;
  /** The lease as it stands, and the database's now. */
  lease(): Promise<{ now: number; lease: LeaderLease }>;
  /** A follower hands signals to the leader (in this order). */
  sendSignals(from: string, signals: readonly unknown[]): Promise<void>;
  /** The oldest signals in the inbox, at most `limit`. */
  inbox(limit: number): Promise<InboxSignal[]>;
  /** The leader took these (recorded their decisions): they leave the inbox. */
  dropFromInbox(ids: readonly number[]): Promise<void>;
  /**
   * The signals whose latest recorded transition is `firing`: what the record holds firing, for
   * a follower that takes over a check (so its healthy probe resolves them).
   */
  firingSignals(): Promise<FiringSignal[]>;
}

export interface FiringSignal {
  service: string;
  check: string | undefined;
  source: string;
  fingerprint: string;
  labels: Record<string, string>;
  startsAt: number;
}
