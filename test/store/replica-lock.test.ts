import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lockStore } from '../../src/store/open.ts';
import { StoreLockedError } from '../../src/store/store-lock.ts';
import { createTestSchema } from '../helpers/postgres.ts';

test('PostgreSQL: replicas share the runner lock; a runner that is not a replica keeps them out, and they keep it out', async () => {
  const schema = await createTestSchema();
  try {
    const one = await lockStore({ path: schema.url, replica: true });
    const two = await lockStore({ path: schema.url, replica: true });
    await assert.rejects(lockStore({ path: schema.url }), (error: unknown) => {
      assert.ok(error instanceof StoreLockedError);
      assert.match(error.message, /replicas run on it \(mend status --db \.\.\. lists them\)/);
      return true;
    });
    await one.release();
    await assert.rejects(lockStore({ path: schema.url }), StoreLockedError, 'one replica is left');
    await two.release();
    const alone = await lockStore({ path: schema.url });
    try {
      await assert.rejects(lockStore({ path: schema.url, replica: true }), (error: unknown) => {
        assert.ok(error instanceof StoreLockedError);
        assert.match(error.message, /in use by a mend that is not a replica \(pid \d+ on host /);
        assert.match(error.message, /start it again with --replica/);
        return true;
      });
    } finally {
      await alone.release();
    }
    await (await lockStore({ path: schema.url, replica: true })).release();
  } finally {
    await schema.drop();
  }
});

test('SQLite: replicas are refused, saying they need PostgreSQL', async () => {
  await assert.rejects(
    lockStore({ path: '/tmp/never-made/mend.db', replica: true }),
    /replicas need a PostgreSQL store, and \/tmp\/never-made\/mend\.db is an SQLite file/,
  );
});
