import type { Config } from '../config/config.ts';
import type { HeldSeries } from '../signals/series-states.ts';
import type { SignalConsumer } from '../signals/signal.ts';
import type {
  FiringSignal,
  Leadership,
  ReplicaMember,
  ReplicaStore,
} from '../store/replica-records.ts';
import type { Logger } from '../support/log.ts';
import { shareOf } from './check-share.ts';
import { InboxReader } from './inbox-reader.ts';
import { type LeaderElection, storeElection } from './leader-election.ts';
import { Replica } from './replica.ts';
import { inboxSender, SignalRoute } from './signal-route.ts';
import { type ReplicaStatus, replicaStatus } from './status.ts';

/** How often the leader looks in the inbox for the followers' signals. */
const INBOX_POLL_MS = 100;

export interface ReplicaGroupOptions {
  store: ReplicaStore;
  /** Default: the store's lease row. */
  election?: LeaderElection;
  member: Omit<ReplicaMember, 'checks'>;
  leaseMs: number;
  log: Logger;
  /** The whole config now (every replica loads the same). */
  config(): Config;
  /** Start deciding under this leadership; resolves with what decides signals from then on. */
  lead(leadership: Leadership): Promise<SignalConsumer>;
  /** The lease is lost: stop deciding and acting now. */
  deposed(reason: string): void;
  /** This replica's share changed: probe these checks. */
  reshare(share: Config): void;
}

/**
 * One replica among several on one store: its membership and share of the checks, the lease,
 * and where its signals go (the leader's inbox while it follows; its own loop while it leads,
 * with the followers' signals from the inbox). See docs/replicas.md.
 */
export class ReplicaGroup {
  readonly route: SignalRoute;
  readonly #options: ReplicaGroupOptions;
  readonly #replica: Replica;
  #reader: InboxReader | undefined;
  #share: Config | undefined;
  /** What the record holds firing, read when this follower's share changed; by service. */
  #firing = new Map<string, FiringSignal[]>();
  #resharing: Promise<void> = Promise.resolve();

  constructor(options: ReplicaGroupOptions) {
    this.#options = options;
    const { store, member, leaseMs, log } = options;
    this.route = new SignalRoute(inboxSender(store, member.id));
    this.#replica = new Replica({
      store,
      election: options.election ?? storeElection(store, member.id, leaseMs),
      member,
      leaseMs,
      log,
      checks: () => countChecks(this.#share),
      onMembers: () => this.#reshare(),
      onElected: (leadership) => this.#lead(leadership),
      onDeposed: (reason) => options.deposed(reason),
    });
  }

  get id(): string {
    return this.#replica.id;
  }

  get leading(): Leadership | undefined {
    return this.#replica.leading;
  }

  /** The checks this replica probes, of the config now. */
  share(): Config {
    this.#share = shareOf(this.#options.config(), this.#replica.members, this.id);
    return this.#share;
  }

  /** Where this replica's API listens, for its heartbeat (`mend status` shows it). */
  serving(address: string): void {
    this.#replica.address = address;
  }

  /** Joins the group (heartbeat, members, a first try at the lease), before anything probes. */
  async join(): Promise<void> {
    await this.#replica.join();
    await this.#resharing;
  }

  start(): void {
    this.#replica.start();
  }

  /** Stops taking the inbox, lets go of the lease (when leading), leaves the group. */
  async leave(): Promise<void> {
    await this.#reader?.stop();
    await this.#replica.leave();
  }

  /** Stop reading the inbox: the decisions are stopping (the lease is let go after them). */
  async stopReading(): Promise<void> {
    await this.#reader?.stop();
  }

  /** For a follower's detector: since when the record holds this signal firing. */
  firingSince(service: string, fingerprint: string): number | undefined {
    return this.#firing.get(service)?.find((s) => s.fingerprint === fingerprint)?.startsAt;
  }

  /** For a follower's detector: the series of one check the record holds firing. */
  firingOf(service: string, check: string, source: string): HeldSeries[] {
    return (this.#firing.get(service) ?? [])
      .filter((s) => s.check === check && s.source === source)
      .map((s) => ({ fingerprint: s.fingerprint, labels: s.labels, startsAt: s.startsAt }));
  }

  async status(): Promise<ReplicaStatus> {
    return readReplicaStatus(this.#options.store, this.#options.leaseMs);
  }

  #reshare(): void {
    this.#resharing = this.#resharing.then(async () => {
      if (this.leading === undefined) await this.#readFiring();
      const share = this.share();
      this.#options.log.info(
        `replicas now ${this.#replica.members.join(', ')}: this one probes ${countChecks(share)} check(s)`,
      );
      this.#options.reshare(share);
    });
  }

  async #readFiring(): Promise<void> {
    try {
      const firing = new Map<string, FiringSignal[]>();
      for (const signal of await this.#options.store.firingSignals()) {
        firing.set(signal.service, [...(firing.get(signal.service) ?? []), signal]);
      }
      this.#firing = firing;
    } catch (err) {
      this.#options.log.warn(
        { err },
        'cannot read what the record holds firing; checks taken over start from unknown',
      );
    }
  }

  async #lead(leadership: Leadership): Promise<void> {
    const consumer = await this.#options.lead(leadership);
    this.#reader = new InboxReader({
      store: this.#options.store,
      consumer,
      log: this.#options.log,
      pollMs: INBOX_POLL_MS,
      route: this.route,
    });
    this.#reader.start();
  }
}

/** The status of the replicas of a store, as `mend status` reads it. */
export async function readReplicaStatus(
  store: Pick<ReplicaStore, 'listReplicas' | 'lease'>,
  leaseMs: number,
): Promise<ReplicaStatus> {
  const { replicas } = await store.listReplicas();
  const { now, lease } = await store.lease();
  return replicaStatus({ now, leaseMs, lease, replicas });
}

function countChecks(config: Config | undefined): number {
  return config?.services.reduce((n, service) => n + service.checks.length, 0) ?? 0;
}
