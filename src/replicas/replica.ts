import type { Leadership, ReplicaMember, ReplicaStore } from '../store/replica-records.ts';
import type { Logger } from '../support/log.ts';
import type { LeaderElection } from './leader-election.ts';

export interface ReplicaOptions {
  store: Pick<ReplicaStore, 'heartbeat' | 'listReplicas' | 'leave'>;
  election: LeaderElection;
  /** This replica, less its share (asked at each heartbeat). */
  member: Omit<ReplicaMember, 'checks'>;
  /** How many checks it probes now. */
  checks(): number;
  leaseMs: number;
  log: Logger;
  /** The live members changed (ids, sorted): reshare the checks. */
  onMembers(live: readonly string[]): void;
  /** This replica won the lease: start deciding under `leadership.epoch`. */
  onElected(leadership: Leadership): Promise<void>;
  /** This replica lost the lease it held: it must stop deciding and acting at once. */
  onDeposed(reason: string): void;
}

/**
 * One replica's part in the group, on one timer: its heartbeat, the live members (a heartbeat
 * within the lease, by the database's clock), and the lease (renewed while it leads, campaigned
 * for while it follows). A tick every tenth of the lease: a dead member is noticed within the
 * lease plus a tick, a lapsed lease taken over within a tick of lapsing.
 */
export class Replica {
  readonly #options: ReplicaOptions;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> = Promise.resolve();
  #stopped = false;
  #members: readonly string[] = [];
  #leading: Leadership | undefined;
  /** performance.now() of the last renewal that succeeded: how long the lease surely held. */
  #renewedAt = 0;
  #deposed = false;
  #warned = false;
  /** Where its API listens, once it serves; sent with each heartbeat. */
  address: string | undefined;

  constructor(options: ReplicaOptions) {
    this.#options = options;
    this.#tickMs = Math.max(100, Math.min(2000, Math.round(options.leaseMs / 10)));
  }

  get id(): string {
    return this.#options.member.id;
  }

  get members(): readonly string[] {
    return this.#members;
  }

  /** The leadership it holds now, if any. */
  get leading(): Leadership | undefined {
    return this.#deposed ? undefined : this.#leading;
  }

  /**
   * Joins: the first heartbeat, the members as they are, and one try at the lease, before
   * anything probes (so a replica that starts alone leads from its first check on). Rejects when
   * the store cannot take the heartbeat: a replica nobody can see must not start.
   */
  async join(): Promise<void> {
    await this.#heartbeat();
    await this.#readMembers();
    await this.#lead(true);
  }

  start(): void {
    this.#schedule();
  }

  /**
   * Leaves: no more ticks, the lease let go if it leads (after its decisions have stopped: the
   * caller's order), its row gone, so the others reshare and take over now, not a lease later.
   */
  async leave(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#ticking;
    const leading = this.leading;
    if (leading !== undefined) {
      await this.#options.election.release(leading.epoch).catch((err: unknown) => {
        this.#options.log.warn({ err }, 'cannot let go of the leader lease; it lapses by itself');
      });
    }
    await this.#options.store.leave(this.id).catch(() => {});
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#ticking = this.#tick().finally(() => this.#schedule());
    }, this.#tickMs);
  }

  async #tick(): Promise<void> {
    try {
      await this.#heartbeat();
      await this.#readMembers();
      if (this.#warned) this.#options.log.info('the store answers the replica again');
      this.#warned = false;
    } catch (err) {
      if (!this.#warned) {
        this.#options.log.warn({ err }, 'cannot write this replica\u2019s heartbeat; retrying');
      }
      this.#warned = true;
    }
    await this.#lead(false);
  }

  async #heartbeat(): Promise<void> {
    const { store, member, checks, leaseMs } = this.#options;
    const address = this.address ?? member.address;
    await store.heartbeat(
      { ...member, checks: checks(), ...(address !== undefined ? { address } : {}) },
      Math.max(60_000, leaseMs * 10),
    );
  }

  async #readMembers(): Promise<void> {
    const { now, replicas } = await this.#options.store.listReplicas();
    const live = replicas
      .filter((replica) => now - replica.heartbeatAt <= this.#options.leaseMs)
      .map((replica) => replica.id)
      .sort();
    if (!live.includes(this.id)) live.push(this.id);
    live.sort();
    if (live.join('\n') === this.#members.join('\n')) return;
    this.#members = live;
    this.#options.onMembers(live);
  }

  /** Renew while leading, campaign while following; `wait`: until a won lease is deciding. */
  async #lead(wait: boolean): Promise<void> {
    if (this.#deposed || this.#stopped) return;
    const { election, log } = this.#options;
    const leading = this.#leading;
    if (leading !== undefined) {
      try {
        const renewed = await election.renew(leading.epoch);
        if (renewed === undefined) {
          this.#depose(
            `another replica took the leader lease (this one held epoch ${leading.epoch})`,
          );
          return;
        }
        this.#leading = renewed;
        this.#renewedAt = performance.now();
      } catch (err) {
        // Unrenewed past the lease, another replica may hold it now: stop acting, whatever the
        // store says later (the epoch refuses our writes anyway; this stops the steps too).
        if (performance.now() - this.#renewedAt > this.#options.leaseMs) {
          this.#depose(
            `the leader lease (epoch ${leading.epoch}) could not be renewed for ${this.#options.leaseMs / 1000} s: ${(err as Error).message}`,
          );
        }
      }
      return;
    }
    let won: Leadership | undefined;
    try {
      won = await election.campaign();
    } catch (err) {
      log.debug({ err }, 'cannot campaign for the leader lease now');
      return;
    }
    if (won === undefined) return;
    this.#leading = won;
    this.#renewedAt = performance.now();
    log.info(`this replica (${this.id}) leads now, epoch ${won.epoch}`);
    // Not awaited by a tick: rebuilding the decision state may take longer than the lease,
    // and the renewals must go on meanwhile.
    const elected = this.#options.onElected(won).catch((err: unknown) => {
      this.#depose(`cannot start deciding as the leader: ${(err as Error).message}`);
    });
    if (wait) await elected;
  }

  #depose(reason: string): void {
    if (this.#deposed) return;
    this.#deposed = true;
    this.#options.onDeposed(reason);
  }
}
