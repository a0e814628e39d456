/**
 * What went wrong with the database itself, as the operator must act on it:
 * - locked: another process holds the write lock past the busy timeout (transient);
 * - readonly: the file, its folder or its volume cannot be written;
 * - full: the volume (or the configured size cap) has no room;
 * - corrupt: the file is not a database, or a damaged one;
 * - unavailable: it cannot be opened or reached at all (missing folder, I/O error, closed store,
 *   a schema written by a newer mend);
 * - replaced: the file the store opened was deleted or replaced while it was open, so what it
 *   would write now is lost with the old file (or lands in a file nobody reads).
 */
export type StoreErrorKind =
  | 'locked'
  | 'readonly'
  | 'full'
  | 'corrupt'
  | 'unavailable'
  | 'replaced';

/**
 * The one error a Store rejects with when the database fails. The message says what was wrong
 * and what to do; the driver's error is kept as `cause`. Whatever was committed before it stays.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly kind: StoreErrorKind;
  /** The database the store was opened on: a file path, or a PostgreSQL URL without its password. */
  readonly path: string;

  constructor(kind: StoreErrorKind, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.path = path;
  }

  /** Worth retrying as it is: only a lock held by someone else goes away by itself. */
  get transient(): boolean {
    return this.kind === 'locked';
  }
}
