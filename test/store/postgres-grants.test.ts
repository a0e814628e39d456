import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import pg from 'pg';
import { lockStore, openStore } from '../../src/store/open.ts';
import { verifyAuditLog } from '../../src/store/verify-audit.ts';
import { requirePostgres, TEST_POSTGRES } from '../helpers/postgres.ts';
import { T0 } from './contract/fixtures.ts';

/**
 * The grants docs/store.md gives, run as written: mend's role appends to the audit log and works
 * as usual, but cannot change, delete or truncate a row, nor disable the trigger. The roles and
 * the schema have random names and are dropped at the end.
 */

const suffix = randomBytes(4).toString('hex');
const OWNER = `mend_test_owner_${suffix}`;
const APP = `mend_test_app_${suffix}`;
const SCHEMA = `mend_test_${suffix}`;

function urlAs(role: string): string {
  const url = new URL(TEST_POSTGRES);
  url.username = role;
  url.searchParams.set('options', `-c search_path=${SCHEMA}`);
  return url.toString();
}

async function run(url: string, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

test('with the documented grants, mend appends to the audit log but cannot rewrite it', async () => {
  await requirePostgres();
  await run(
    TEST_POSTGRES,
    `create role ${OWNER} login`,
    `create role ${APP} login`,
    `create schema ${SCHEMA} authorization ${OWNER}`,
  );
  try {
    // The owner creates the tables (and the runner table) by running mend once.
    const lock = await lockStore({ path: urlAs(OWNER) });
    await (await openStore({ path: urlAs(OWNER) })).close();
    await lock.release();
    await run(
      urlAs(OWNER),
      `grant usage on schema ${SCHEMA} to ${APP}`,
      `grant select, insert, update, delete on all tables in schema ${SCHEMA} to ${APP}`,
      `grant usage, select on all sequences in schema ${SCHEMA} to ${APP}`,
      `revoke update, delete, truncate on ${SCHEMA}.audit_log, ${SCHEMA}.engine_inputs from ${APP}`,
    );

    const app = urlAs(APP);
    const appLock = await lockStore({ path: app });
    const store = await openStore({ path: app });
    try {
      for (let n = 0; n < 3; n++) {
        await store.appendAudit({
          at: T0 + n,
          actor: 'cli:alice',
          action: 'breaker.reset',
          target: 'breaker/api',
          params: {},
          result: 'accepted',
        });
      }
      assert.equal((await verifyAuditLog(store)).ok, true);
      for (const statement of [
        `update audit_log set actor = 'mallory'`,
        'delete from audit_log',
        'truncate audit_log',
        'alter table audit_log disable trigger audit_log_no_change',
      ]) {
        await assert.rejects(run(app, statement), /permission denied|must be owner/, statement);
      }
      // Negative control: the same role may change what it should.
      await run(app, `update api_tokens set last_used_at = 1`);
      assert.equal((await store.listAudit()).length, 3);
    } finally {
      await store.close();
      await appLock.release();
    }
  } finally {
    await run(
      TEST_POSTGRES,
      `drop schema if exists ${SCHEMA} cascade`,
      `drop owned by ${APP}`,
      `drop role if exists ${APP}`,
      `drop role if exists ${OWNER}`,
    );
  }
});
