/**
 * A write refused because the leader lease moved on: this process decided under epoch `epoch`,
 * and another replica took the lease since (epoch `current`). Nothing of the write is kept. Not a
 * StoreError: the database is fine, this process is no longer the one that may decide; retrying
 * cannot help, and the replica steps down (docs/replicas.md).
 */
export class FencedError extends Error {
  override readonly name = 'FencedError';
  /** The epoch the write carried. */
  readonly epoch: number;
  /** The lease's epoch when the write was refused. */
  readonly current: number;
  /** Who holds the lease now (undefined: nobody). */
  readonly holder: string | undefined;

  constructor(epoch: number, current: number, holder: string | undefined, what: string) {
    const carried =
      epoch < 0
        ? 'this replica does not lead (it follows, or it stepped down)'
        : `it carries leader epoch ${epoch}`;
    super(
      `${what} refused: ${carried}, and the lease is at epoch ${current} (${holder === undefined ? 'nobody leads now' : `held by ${holder}`}); this replica is no longer the leader and must not decide or act`,
    );
    this.epoch = epoch;
    this.current = current;
    this.holder = holder;
  }
}
