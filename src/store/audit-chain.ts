import { createHash } from 'node:crypto';
import { stableJson } from '../support/stable-hash.ts';
import type { AuditChainRow, AuditHead, StoredAuditEntry } from './store.ts';

/**
 * The audit log is a hash chain: each row carries the SHA-256 of its canonical content and of the
 * previous row's hash. Editing a row changes its content (its hash no longer matches); deleting
 * or inserting one breaks the link of the row after it and the sequence numbers; reordering rows
 * (swapping their ids) puts sequence numbers out of order; deleting the last rows leaves the
 * chain shorter than its head row says. All of it is found by `mend audit verify`.
 *
 * Canonical content: the row's values as the Store returns them (numbers as numbers, whatever
 * the driver gave), absent values as null, params as the JSON value (not its text), serialised
 * with sorted keys and no whitespace (support/stable-hash.ts stableJson, the same rules as RFC
 * 8785 for JSON data), so the same row hashes the same on SQLite and PostgreSQL.
 */

/** The previous hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a row's hash covers: everything in it except its id and the hash itself. */
export type ChainedContent = Omit<StoredAuditEntry, 'id' | 'hash'>;

export function auditHash(row: ChainedContent): string {
  const content = {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    role: row.role ?? null,
    source: row.source ?? null,
    action: row.action,
    target: row.target,
    params: row.params ?? null,
    result: row.result,
    requestId: row.requestId ?? null,
    prevHash: row.prevHash,
  };
  return createHash('sha256').update(stableJson(content), 'utf8').digest('hex');
}

/** The first row that does not hold, and why. */
export interface AuditProblem {
  id: number;
  seq?: number;
  message: string;
}

/** A head exported earlier (`mend audit verify` prints it): the row at `seq` must still have `hash`. */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

/**
 * Walks the chain one row at a time, in id order (the order rows were appended), and stops at
 * the first row that does not hold. Pure: the caller reads the rows (a page at a time).
 */
export class AuditChainVerifier {
  #expectedSeq = 1;
  #prevHash = GENESIS_HASH;
  #last: { id: number; seq: number; hash: string } | undefined;
  #anchorSeen = false;
  readonly #anchor: AuditAnchor | undefined;

  constructor(anchor?: AuditAnchor) {
    this.#anchor = anchor;
  }

  /** How many rows verified so far. */
  get verified(): number {
    return this.#expectedSeq - 1;
  }

  /** The first problem with this row, or undefined when it holds (and the walk goes on). */
  check(row: AuditChainRow): AuditProblem | undefined {
    if ('unreadable' in row) {
      return { id: row.id, message: `row id ${row.id} cannot be read: ${row.unreadable}` };
    }
    const name = `row seq ${row.seq} (id ${row.id})`;
    const problem = (message: string): AuditProblem => ({ id: row.id, seq: row.seq, message });
    if (auditHash(row) !== row.hash) {
      return problem(`${name}: its content does not match its hash: edited after it was written`);
    }
    if (row.seq > this.#expectedSeq) {
      const missing =
        row.seq - 1 > this.#expectedSeq
          ? `seq ${this.#expectedSeq}-${row.seq - 1}`
          : `seq ${this.#expectedSeq}`;
      return problem(
        `${name} comes where seq ${this.#expectedSeq} should: ${missing} deleted, or rows reordered`,
      );
    }
    if (row.seq < this.#expectedSeq) {
      return problem(
        `${name} comes after seq ${this.#expectedSeq - 1}: rows reordered, or this row inserted`,
      );
    }
    if (row.prevHash !== this.#prevHash) {
      return problem(
        `${name} does not follow the row before it (its previous hash is not that row's hash): a row was replaced, deleted or inserted before it`,
      );
    }
    if (this.#anchor !== undefined && row.seq === this.#anchor.seq) {
      this.#anchorSeen = true;
      if (row.hash !== this.#anchor.hash) {
        return problem(
          `${name}: its hash is not the anchor's (${this.#anchor.hash}): the chain was rewritten since that head was exported`,
        );
      }
    }
    this.#expectedSeq = row.seq + 1;
    this.#prevHash = row.hash;
    this.#last = { id: row.id, seq: row.seq, hash: row.hash };
    return undefined;
  }

  /** After the last row: the chain must end where its head row says. */
  finish(head: AuditHead): AuditProblem | undefined {
    const last = this.#last ?? { id: 0, seq: 0, hash: GENESIS_HASH };
    const at = (message: string): AuditProblem => ({ id: last.id, seq: last.seq, message });
    if (head.seq > last.seq) {
      return at(
        last.seq === 0
          ? `the log is empty, but its head says seq ${head.seq}: every row was deleted`
          : `the chain ends at seq ${last.seq} (id ${last.id}), but its head says seq ${head.seq}: the last rows were deleted`,
      );
    }
    if (head.seq < last.seq) {
      return at(
        `the chain goes on to seq ${last.seq} (id ${last.id}), past its head (seq ${head.seq}): rows were added by hand`,
      );
    }
    if (head.hash !== last.hash) {
      return at(
        `row seq ${last.seq} (id ${last.id}) is not the row its head names (hash ${head.hash}): the last row was replaced`,
      );
    }
    if (this.#anchor !== undefined && !this.#anchorSeen) {
      return at(
        `no row has the anchor's seq ${this.#anchor.seq}: the chain ends at seq ${last.seq}, so rows were deleted since that head was exported`,
      );
    }
    return undefined;
  }
}
