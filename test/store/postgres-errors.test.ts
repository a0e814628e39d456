import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { test } from 'node:test';
import pg from 'pg';
import { classifyPostgresError } from '../../src/store/postgres-errors.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { acquirePostgresStoreLock } from '../../src/store/postgres-store-lock.ts';
import { redactedUrl } from '../../src/store/postgres-url.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { StoreLockedError } from '../../src/store/store-lock.ts';
import { createTestSchema, schemaUrl, type TestSchema } from '../helpers/postgres.ts';
import { T0 } from './contract/fixtures.ts';

/** Failures of a real PostgreSQL (and of the way to it) as the StoreError kinds SQLite has. */

const audit = (n: number) => ({
  at: T0 + n,
  actor: 'cli:alice',
  action: 'breaker.reset' as const,
  target: 'breaker/api',
  params: {},
  result: 'accepted' as const,
});

async function withSchema(body: (schema: TestSchema) => Promise<void>): Promise<void> {
  const schema = await createTestSchema();
  try {
    await body(schema);
  } finally {
    await schema.drop();
  }
}

function isKind(kind: StoreError['kind'], pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof StoreError, String(error));
    assert.equal(error.kind, kind, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a server that does not answer: unavailable, and the message keeps the password out', async () => {
  const url = `postgres://mend:hunter2@127.0.0.1:${await closedPort()}/mend`;
  await assert.rejects(
    PostgresStore.open({ url }),
    isKind(
      'unavailable',
      /store postgres:\/\/mend:\*\*\*@127\.0\.0\.1:\d+\/mend cannot be reached/,
    ),
  );
  await assert.rejects(acquirePostgresStoreLock(url), (error) => {
    assert.ok(error instanceof StoreError && !error.message.includes('hunter2'), String(error));
    return true;
  });
});

test('a read-only session (default_transaction_read_only) is refused at open as readonly', () =>
  withSchema(async (schema) => {
    await (await PostgresStore.open({ url: schema.url })).close();
    const readOnly = `${schema.url}${encodeURIComponent(' -c default_transaction_read_only=on')}`;
    await assert.rejects(PostgresStore.open({ url: readOnly }), isKind('readonly', /read-only/));
  }));

test('a database that does not exist, a schema that does not exist: unavailable', async () => {
  const missing = `mend_missing_${randomBytes(4).toString('hex')}`;
  await assert.rejects(
    PostgresStore.open({ url: `postgres://postgres@127.0.0.1:5432/${missing}` }),
    isKind('unavailable', /3D000/),
  );
  await assert.rejects(PostgresStore.open({ url: schemaUrl(missing) }), isKind('unavailable'));
  await assert.rejects(
    acquirePostgresStoreLock(schemaUrl(missing)),
    isKind('unavailable', /no schema/),
  );
});

test('a statement past its timeout (a lock held elsewhere) is locked, and what it would write is not', () =>
  withSchema(async (schema) => {
    const store = await PostgresStore.open({ url: schema.url, statementTimeoutMs: 3000 });
    const holder = new pg.Client({ connectionString: schema.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table audit_chain_head in exclusive mode');
      await assert.rejects(store.appendAudit(audit(1)), isKind('locked', /57014/));
      await holder.query('rollback');
      // The lock gone, the same store writes again, and nothing of the failed append is there.
      const appended = await store.appendAudit(audit(2));
      assert.equal(appended.seq, 1);
      assert.equal((await store.listAudit()).length, 1);
    } finally {
      await holder.end();
      await store.close();
    }
  }));

test('a connection lost mid-call is unavailable; the store reconnects by itself', () =>
  withSchema(async (schema) => {
    const applicationName = `mend-test-${randomBytes(4).toString('hex')}`;
    const store = await PostgresStore.open({ url: schema.url, applicationName });
    const admin = new pg.Client({ connectionString: schema.url });
    await admin.connect();
    try {
      await admin.query('begin');
      await admin.query('lock table audit_chain_head in exclusive mode');
      // Settled into a value at once, so its rejection is never left unhandled meanwhile.
      const waiting = store.appendAudit(audit(1)).then(
        () => undefined,
        (error: unknown) => error,
      );
      // Wait until the append waits on the lock, then cut every connection of the store.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const { rows } = await admin.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`,
          [applicationName],
        );
        if ((rows[0]?.n ?? 0) > 0) break;
        assert.ok(Date.now() < deadline, 'the append never waited on the lock');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const terminator = new pg.Client({ connectionString: schema.url });
      await terminator.connect();
      await terminator.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
        [applicationName],
      );
      await terminator.end();
      isKind('unavailable')(await waiting);
      await admin.query('rollback');
      await store.ping();
      assert.equal((await store.appendAudit(audit(2))).seq, 1, 'the cut append wrote nothing');
    } finally {
      await admin.end();
      await store.close();
    }
  }));

test('SQLSTATE codes and classes map to the kinds; mend SQL errors are not StoreErrors', () => {
  const coded = (code: string) => Object.assign(new Error(`server said ${code}`), { code });
  const kinds = Object.fromEntries(
    [
      '53100',
      '25006',
      '42501',
      '57014',
      '40P01',
      '57P01',
      '08006',
      '28P01',
      'XX001',
      'ECONNREFUSED',
    ].map((code) => [code, classifyPostgresError(coded(code), 'postgres://h/db')?.kind]),
  );
  assert.deepEqual(kinds, {
    '53100': 'full',
    '25006': 'readonly',
    '42501': 'readonly',
    '57014': 'locked',
    '40P01': 'locked',
    '57P01': 'unavailable',
    '08006': 'unavailable',
    '28P01': 'unavailable',
    XX001: 'corrupt',
    ECONNREFUSED: 'unavailable',
  });
  assert.match(
    classifyPostgresError(coded('53100'), 'postgres://h/db')?.message ?? '',
    /free space/,
  );
  // A unique violation, a trigger's refusal, a syntax error: mend's to handle, not an outage.
  for (const code of ['23505', 'P0001', '42601']) {
    assert.equal(classifyPostgresError(coded(code), 'x'), undefined, code);
  }
  assert.equal(
    classifyPostgresError(new Error('Connection terminated unexpectedly'), 'x')?.kind,
    'unavailable',
  );
});

test('the URL as messages say it: password and password parameters redacted, the rest kept', () => {
  assert.equal(
    redactedUrl('postgres://mend:p%40ss@db.example:5432/mend?sslmode=require&password=x'),
    'postgres://mend:***@db.example:5432/mend?sslmode=require&password=***',
  );
  assert.equal(redactedUrl('postgresql://db/mend'), 'postgresql://db/mend');
  assert.equal(redactedUrl('postgres://u:pw@[bad'), 'postgres://***');
});

test('the runner lock names its holder, refuses a second one, and goes with its session', () =>
  withSchema(async (schema) => {
    const owner = { pid: 4242, hostname: 'web-1', since: T0, argv: ['mend', 'run'] };
    const first = await acquirePostgresStoreLock(schema.url, owner);
    await assert.rejects(acquirePostgresStoreLock(schema.url), (error) => {
      assert.ok(error instanceof StoreLockedError, String(error));
      assert.deepEqual(error.owner, owner);
      assert.match(error.message, /in use by another mend \(pid 4242 on host web-1, since /);
      return true;
    });
    // Another schema of the same database is another store.
    const other = await createTestSchema();
    try {
      await (await acquirePostgresStoreLock(other.url)).release();
    } finally {
      await other.drop();
    }
    assert.equal(first.problem(), undefined);
    // The session cut (as when the host dies): the lock says so, and another runner may start.
    const cutter = new pg.Client({ connectionString: schema.url });
    await cutter.connect();
    await cutter.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'mend runner lock' and pid in (select pid from pg_locks where locktype = 'advisory' and objid = hashtext($1)::oid)`,
      [schema.name],
    );
    await cutter.end();
    const deadline = Date.now() + 20_000;
    while (first.problem() === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(first.problem() ?? '', /runner lock .* was lost/);
    const next = await acquirePostgresStoreLock(schema.url);
    await next.release();
    await first.release();
  }));
