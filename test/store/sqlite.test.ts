import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { recordSignal, signal } from './contract/fixtures.ts';
import { type MakeStore, runStoreContract } from './contract.ts';
import { storeInWorker } from './store-in-worker.ts';

/** A store on a real file in a temporary folder, as mend runs it. */
const makeSqliteStore: MakeStore = async () => {
  const folder = await mkdtemp(join(tmpdir(), 'mend-store-'));
  const path = join(folder, 'mend.db');
  let store: Store = await openStore({ path });
  const others: Store[] = [];
  return {
    get store() {
      return store;
    },
    async reopen() {
      await store.close();
      store = await openStore({ path });
      return store;
    },
    async another() {
      const other = await storeInWorker(path);
      others.push(other);
      return other;
    },
    async execRaw(statement) {
      const db = new DatabaseSync(path);
      try {
        db.exec(statement);
      } finally {
        db.close();
      }
    },
    async queryRaw(statement) {
      const db = new DatabaseSync(path);
      try {
        return db
          .prepare(statement)
          .all()
          .map((row) => ({ ...row }));
      } finally {
        db.close();
      }
    },
    async cleanup() {
      for (const other of others) await other.close();
      await store.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
};

runStoreContract('SqliteStore', makeSqliteStore);

test('SqliteStore: creates missing folders and leaves the file in WAL mode', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'mend-store-'));
  try {
    const path = join(folder, 'a', 'b', 'mend.db');
    const store = await openStore({ path });
    await recordSignal(store, signal());
    // A second connection sees what the store committed, and the file's persistent settings.
    const other = new DatabaseSync(path);
    assert.deepEqual({ ...other.prepare('pragma journal_mode').get() }, { journal_mode: 'wal' });
    assert.deepEqual({ ...other.prepare('select count(*) as n from signals').get() }, { n: 1 });
    other.close();
    await store.close();
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('SqliteStore: :memory: works for tests that need no file', async () => {
  const store = await openStore({ path: ':memory:' });
  const id = await recordSignal(store, signal());
  assert.deepEqual(await store.listSignals(), [{ ...signal(), id }]);
  await store.ping();
  await store.close();
});
