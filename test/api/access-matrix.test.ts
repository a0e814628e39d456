import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Permission, permits } from '../../src/api/auth/roles.ts';
import { openStore } from '../../src/store/open.ts';
import { call, type RunningMend, startRunningMend } from '../helpers/running-mend.ts';

/**
 * Every operation the OpenAPI document lists, for no token and for each role, answers as its
 * permission says: generated from the served document, so a new route cannot escape the matrix.
 */
let mend: RunningMend;
before(async () => {
  mend = await startRunningMend();
});
after(async () => {
  await mend?.stop();
});

interface Operation {
  method: string;
  path: string;
  permission: Permission | 'public';
}

async function operations(): Promise<Operation[]> {
  const answer = await call(mend.base, 'GET', '/api/v1/openapi.json');
  assert.equal(answer.status, 200, 'the document is public');
  const document = answer.json() as {
    paths: Record<string, Record<string, { 'x-mend-permission'?: Permission | 'public' }>>;
  };
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const [method, operation] of Object.entries(methods)) {
      const permission = operation['x-mend-permission'];
      assert.ok(permission, `${method} ${path} says no permission`);
      out.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'x'), permission });
    }
  }
  return out;
}

async function auditRows(): Promise<
  { action: string; result: string; actor: string; source?: string }[]
> {
  const store = await openStore({ path: mend.db });
  try {
    return await store.listAudit();
  } finally {
    await store.close();
  }
}

test('no token: 401 with WWW-Authenticate, and an audit row, on every operation', async () => {
  const ops = await operations();
  assert.ok(ops.length >= 19, `saw ${ops.length} operations`);
  const before = (await auditRows()).length;
  let n = 0;
  for (const op of ops) {
    // Each from its own address: the failure limiter would block one address after 5.
    const answer = await call(mend.base, op.method, op.path, {
      from: `127.0.1.${++n}`,
      ...(op.method === 'POST' ? { body: {} } : {}),
    });
    assert.equal(answer.status, 401, `${op.method} ${op.path}: ${answer.body}`);
    assert.match(String(answer.headers['www-authenticate']), /^Bearer /);
    assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
  }
  const rows = (await auditRows()).slice(before);
  assert.equal(
    rows.filter((r) => r.action === 'auth.refused' && r.result === 'refused').length,
    ops.length,
  );
  assert.ok(rows.every((r) => r.actor === 'anonymous' && r.source?.startsWith('127.0.1.')));
});

test('each role: permitted operations answer (never 401/403/5xx), the others 403 naming the role', async () => {
  const ops = await operations();
  for (const role of ['viewer', 'operator', 'admin', 'ingest'] as const) {
    for (const op of ops) {
      const before = (await auditRows()).length;
      const answer = await call(mend.base, op.method, op.path, {
        token: mend.tokens[role],
        headersOnly: op.path.endsWith('/stream'),
        ...(op.method === 'POST' ? { body: {} } : {}),
      });
      const where = `${role} ${op.method} ${op.path}: ${answer.status} ${answer.body}`;
      assert.ok(answer.status < 500, where);
      if (op.permission === 'public' || permits(role, op.permission)) {
        assert.ok(answer.status !== 401 && answer.status !== 403, where);
        continue;
      }
      assert.equal(answer.status, 403, where);
      const problem = answer.json() as { required: string; detail: string };
      assert.match(problem.detail, new RegExp(`role ${role} may not ${op.permission}`));
      const rows = (await auditRows()).slice(before);
      assert.equal(rows.length, 1, `${where}: one audit row`);
      assert.deepEqual([rows[0]!.actor, rows[0]!.result], [`token:${role}-1`, 'refused']);
    }
  }
});

test('an accepted mutation leaves its effect and one audit row with the caller', async () => {
  const before = (await auditRows()).length;
  const added = await call(mend.base, 'POST', '/api/v1/silences', {
    token: mend.tokens.operator,
    body: { matchers: ['service="api"'], duration: '1h', comment: 'maintenance' },
  });
  assert.equal(added.status, 200, added.body);
  const { id, status } = added.json() as { id: string; status: string };
  assert.equal(status, 'applied');
  const listed = await call(mend.base, 'GET', '/api/v1/silences', { token: mend.tokens.viewer });
  assert.deepEqual(
    (listed.json() as { items: { id: string }[] }).items.map((s) => s.id),
    [id],
  );
  const rows = (await auditRows()).slice(before);
  assert.deepEqual(
    rows.map((r) => [r.action, r.result, r.actor]),
    [['silence.create', 'accepted', 'token:operator-1']],
  );
  const expired = await call(mend.base, 'POST', `/api/v1/silences/${id}/expire`, {
    token: mend.tokens.operator,
  });
  assert.equal(expired.status, 200, expired.body);
  const again = await call(mend.base, 'POST', `/api/v1/silences/${id}/expire`, {
    token: mend.tokens.operator,
  });
  assert.equal(again.status, 409);
  assert.match((again.json() as { detail: string }).detail, /no active silence/);
});

test('a reset with no body at all (curl -X POST) resets every breaker of the service', async () => {
  const reset = await call(mend.base, 'POST', '/api/v1/breakers/api/reset', {
    token: mend.tokens.operator,
  });
  assert.equal(reset.status, 200, reset.body);
  assert.equal((reset.json() as { status: string }).status, 'applied');
});

test('an address that keeps failing is slowed down: 429 with Retry-After, audited once', async () => {
  const from = '127.0.2.1';
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const answer = await call(mend.base, 'GET', '/api/v1/services', { from, token: 'mend_wrong' });
    statuses.push(answer.status);
    if (answer.status === 429) assert.match(String(answer.headers['retry-after']), /^\d+$/);
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
  const limited = (await auditRows()).filter((r) => r.action === 'auth.limited');
  assert.equal(limited.length, 1);
  // Another address is not held back by it.
  const other = await call(mend.base, 'GET', '/api/v1/services', { token: mend.tokens.viewer });
  assert.equal(other.status, 200);
});
