import { describe } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { auditContract } from './contract/audit.ts';
import { incidentContract } from './contract/incidents.ts';
import { journalContract } from './contract/journal.ts';
import { lifecycleContract } from './contract/lifecycle.ts';
import { signalContract } from './contract/signals.ts';

/**
 * One fresh, empty, migrated store per test, and what the suite needs around it. Every
 * implementation (SQLite now, PostgreSQL next) provides this and runs the same suite unchanged.
 */
export interface StoreHarness {
  /** The store currently open (a new object after reopen). */
  readonly store: Store;
  /** Closes the store and opens a new one on the same database, as a restarted mend would. */
  reopen(): Promise<Store>;
  /**
   * Runs one SQL statement on a connection of its own, around the Store: to show what the
   * database itself refuses. The SQL used is the same for every database.
   */
  execRaw(statement: string): Promise<void>;
  /** Closes whatever is open and removes the database. */
  cleanup(): Promise<void>;
}

export type MakeStore = () => Promise<StoreHarness>;

export function runStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    describe('signals', () => signalContract(makeStore));
    describe('incidents', () => incidentContract(makeStore));
    describe('runbook journal', () => journalContract(makeStore));
    describe('audit log', () => auditContract(makeStore));
    describe('lifecycle', () => lifecycleContract(makeStore));
  });
}
