import { describe } from 'node:test';
import type { Store } from '../../src/store/store.ts';
import { auditContract } from './contract/audit.ts';
import { commandContract } from './contract/commands.ts';
import { decisionContract } from './contract/decisions.ts';
import { incidentContract } from './contract/incidents.ts';
import { journalContract } from './contract/journal.ts';
import { lifecycleContract } from './contract/lifecycle.ts';
import { operatorRequestContract } from './contract/operator-requests.ts';
import { probeCursorContract } from './contract/probe-cursors.ts';
import { signalContract } from './contract/signals.ts';
import { snapshotContract } from './contract/snapshots.ts';
import { tokenContract } from './contract/tokens.ts';

/**
 * One fresh, empty, migrated store per test, and what the suite needs around it. Every
 * implementation (SQLite, PostgreSQL) provides this and runs the same suite unchanged.
 */
export interface StoreHarness {
  /** The store currently open (a new object after reopen). */
  readonly store: Store;
  /** Closes the store and opens a new one on the same database, as a restarted mend would. */
  reopen(): Promise<Store>;
  /**
   * A second store on the same database, with its own connection, as another mend process (the
   * CLI beside the controller, another replica) would have; cleanup closes it.
   */
  another(): Promise<Store>;
  /**
   * Runs one SQL statement on a connection of its own, around the Store: to show what the
   * database itself refuses. The SQL used is the same for every database.
   */
  execRaw(statement: string): Promise<void>;
  /** Like execRaw, for a query: its rows as plain objects (numbers may come back as strings). */
  queryRaw(statement: string): Promise<Record<string, unknown>[]>;
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
    describe('API tokens', () => tokenContract(makeStore));
    describe('decision journal', () => decisionContract(makeStore));
    describe('engine snapshots', () => snapshotContract(makeStore));
    describe('commands', () => commandContract(makeStore));
    describe('operator requests', () => operatorRequestContract(makeStore));
    describe('probe cursors', () => probeCursorContract(makeStore));
    describe('lifecycle', () => lifecycleContract(makeStore));
  });
}
