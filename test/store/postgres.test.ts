import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import { recordSignal, signal } from './contract/fixtures.ts';
import { type MakeStore, runStoreContract } from './contract.ts';

/** A store in a fresh schema of the test database, as mend runs it. */
const makePostgresStore: MakeStore = async () => {
  const schema = await createTestSchema();
  // A store that fails to open must not leave its schema behind.
  let store: Store = await openStore({ path: schema.url }).catch(async (error: unknown) => {
    await schema.drop();
    throw error;
  });
  const others: Store[] = [];
  return {
    get store() {
      return store;
    },
    async reopen() {
      await store.close();
      store = await openStore({ path: schema.url });
      return store;
    },
    async another() {
      const other = await openStore({ path: schema.url });
      others.push(other);
      return other;
    },
    async execRaw(statement) {
      await schema.query(statement);
    },
    queryRaw: (statement) => schema.query(statement),
    async cleanup() {
      for (const other of others) await other.close();
      await store.close();
      await schema.drop();
    },
  };
};

runStoreContract('PostgresStore', makePostgresStore);

test('PostgresStore: bigint columns read back as numbers, in the schema the URL names', async () => {
  const schema = await createTestSchema();
  try {
    const store = await openStore({ path: schema.url });
    try {
      const id = await recordSignal(store, signal());
      const [row] = await schema.query(
        'select id, at, (select count(*) from signals) as n from signals',
      );
      assert.equal(row?.id, String(id), 'pg itself gives int8 as text: the store parses it');
      assert.deepEqual(await store.listSignals(), [{ ...signal(), id }]);
      const tables = await schema.query(
        `select table_name from information_schema.tables where table_schema = '${schema.name}' and table_name = 'signals'`,
      );
      assert.equal(tables.length, 1);
    } finally {
      await store.close();
    }
  } finally {
    await schema.drop();
  }
});
