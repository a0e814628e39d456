import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Decision, Input } from '../../src/policy/types.ts';

/**
 * The benchmark's yardstick: recording each input and its decision the way the store's
 * `engine_inputs` table keeps them (the input and the decision's commands, events and reasons as
 * JSON text, one row per input), in an in-memory SQLite database, one transaction per slice.
 * It is work the shell does for every decision anyway, CPU-bound like `decide`, and it does not
 * change when the engine's code does (only when what decisions say does: the report prints the
 * characters recorded per input, so such a change shows). Plain node:sqlite, not the store: the
 * yardstick must not move when the store's code does, and the store's async Kysely path would
 * time the event loop as well.
 */
export class SqliteJournal {
  readonly #database = new DatabaseSync(':memory:');
  readonly #insert: StatementSync;
  bytes = 0;

  constructor() {
    this.#database.exec(`create table engine_inputs (
      seq integer primary key,
      at integer not null,
      kind text not null,
      input text not null,
      decision text not null
    )`);
    this.#insert = this.#database.prepare(
      'insert into engine_inputs (at, kind, input, decision) values (?, ?, ?, ?)',
    );
  }

  begin(): void {
    this.#database.exec('begin');
  }

  /** Record one input and its decision (inside a transaction: `begin` ... `commit`). */
  record(input: Input, decision: Decision<unknown>): void {
    const { commands, events, reasons } = decision;
    const inputText = JSON.stringify(input);
    const decisionText = JSON.stringify({ commands, events, reasons });
    this.#insert.run(input.at, input.kind, inputText, decisionText);
    this.bytes += inputText.length + decisionText.length;
  }

  commit(): void {
    this.#database.exec('commit');
  }

  /** Empty the table between slices (untimed), so every slice writes into the same small table. */
  clear(): void {
    this.#database.exec('delete from engine_inputs');
  }
}
