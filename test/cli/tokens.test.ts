import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { authenticate } from '../../src/api/auth/authenticate.ts';
import { openStore } from '../../src/store/open.ts';
import { verifyAuditLog } from '../../src/store/verify-audit.ts';
import { runMend } from '../helpers/mend-process.ts';

/** mend token and mend audit list as a person runs them: real processes on a real file. */

let dir = '';
let db = '';
const me = `cli:${userInfo().username}`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-tokens-cli-'));
  db = join(dir, 'mend.db');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mend = (...args: string[]) => runMend([...args, '--db', db]);

test('a token is printed once, alone on stdout, works until revoked, and is never stored or listed', async () => {
  const created = await mend(
    'token',
    'create',
    'alertmanager',
    '--role',
    'ingest',
    '--expires',
    '90d',
  );
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^mend_[A-Za-z0-9_-]{43}\n$/);
  const token = created.stdout.trim();
  assert.match(
    created.stderr,
    /token alertmanager created: role ingest, expires \S+ \(in 90d\)\. It is shown this once/,
  );

  const listed = await mend('token', 'list');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^NAME\s+ROLE\s+STATE\s+CREATED\s+EXPIRES\s+LAST USED\n/);
  assert.match(listed.stdout, /^alertmanager\s+ingest\s+active\s+\S+Z\s+\S+Z\s+never$/m);
  const json = await mend('token', 'list', '--json');
  const [entry] = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(entry).sort(), ['createdAt', 'expiresAt', 'name', 'role', 'state']);
  assert.ok(entry.expiresAt - entry.createdAt === 90 * 86_400_000);

  // The API's authenticator accepts it from another process's store...
  const store = await openStore({ path: db });
  try {
    const accepted = await authenticate(`Bearer ${token}`, store, { now: Date.now() });
    assert.deepEqual(accepted, {
      ok: true,
      principal: { tokenName: 'alertmanager', role: 'ingest' },
    });
    const revoked = await mend('token', 'revoke', 'alertmanager');
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, 'token alertmanager revoked (audited)\n');
    // ...and refuses it at the next request once the CLI revoked it.
    const refused = await authenticate(`Bearer ${token}`, store, { now: Date.now() });
    assert.equal(refused.ok ? 'accepted' : refused.reason, 'revoked');
  } finally {
    await store.close();
  }
  const again = await mend('token', 'revoke', 'alertmanager');
  assert.equal(again.code, 0);
  assert.match(again.stdout, /^token alertmanager was already revoked at \S+Z\n$/);
  assert.match((await mend('token', 'list')).stdout, /^alertmanager\s+ingest\s+revoked\s/m);

  // Nowhere in the store, in any output.
  const audit = await mend('audit', 'list', '--json');
  for (const text of [listed.stdout, json.stdout, audit.stdout]) {
    assert.equal(text.includes(token.slice(5)), false);
  }
  const rows = JSON.parse(audit.stdout) as {
    actor: string;
    action: string;
    target: string;
    params: unknown;
    result: string;
  }[];
  assert.deepEqual(
    rows.map((r) => [r.actor, r.action, r.target, r.result]),
    [
      [me, 'token.create', 'token/alertmanager', 'ok'],
      [me, 'token.revoke', 'token/alertmanager', 'ok'],
    ],
  );
  assert.deepEqual(Object.keys(rows[0]!.params as object).sort(), ['expiresAt', 'role']);
});

test('clear refusals: a duplicate or reused name, an unknown role, a bad duration, a bad name, an unknown token', async () => {
  assert.equal((await mend('token', 'create', 'grafana', '--role', 'viewer')).code, 0);
  const duplicate = await mend('token', 'create', 'grafana', '--role', 'admin');
  assert.equal(duplicate.code, 1);
  assert.equal(duplicate.stdout, '');
  assert.match(
    duplicate.stderr,
    /^mend: a token named grafana exists already: choose another name/,
  );
  assert.equal((await mend('token', 'revoke', 'grafana')).code, 0);
  const reused = await mend('token', 'create', 'grafana', '--role', 'viewer');
  assert.equal(reused.code, 1);
  assert.match(reused.stderr, /existed and was revoked: names are never reused/);

  const role = await mend('token', 'create', 'x', '--role', 'operater');
  assert.equal(role.code, 2);
  assert.match(
    role.stderr,
    /unknown role "operater" \(did you mean "operator"\?\): roles are viewer, operator, admin, ingest/,
  );
  const noRole = await mend('token', 'create', 'x');
  assert.equal(noRole.code, 2);
  assert.match(noRole.stderr, /--role <role>' not specified/);
  for (const bad of ['90', '3 days', '0', '1y']) {
    const duration = await mend('token', 'create', 'x', '--role', 'viewer', '--expires', bad);
    assert.equal(duration.code, 2, bad);
    assert.match(duration.stderr, /expected a duration from now such as 90d, 12h or 30m/);
  }
  const name = await mend('token', 'create', 'ops:alice', '--role', 'viewer');
  assert.equal(name.code, 1);
  assert.match(name.stderr, /token name "ops:alice" is not valid: use letters, digits/);
  const unknown = await mend('token', 'revoke', 'grafanna');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no token named "grafanna" \(did you mean "grafana"\?\)/);
  // Nothing refused reached the store.
  const names = JSON.parse((await mend('token', 'list', '--json')).stdout).map(
    (t: { name: string }) => t.name,
  );
  assert.deepEqual(
    names.filter((n: string) => n === 'x' || n === 'ops:alice'),
    [],
  );
});

test('mend audit list filters by time, actor and action; --actor on operator commands is gone', async () => {
  const store = await openStore({ path: db });
  const long = Date.now() - 3 * 3_600_000;
  try {
    await store.appendAudit({
      at: long,
      actor: 'token:deploy',
      role: 'operator',
      source: '192.0.2.9',
      requestId: 'req-7',
      action: 'breaker.reset',
      target: 'breaker/api',
      params: { service: 'api', note: 'line\nbreak \u001b[31mred' },
      result: 'accepted',
    });
  } finally {
    await store.close();
  }
  const all = await mend('audit', 'list');
  assert.equal(all.code, 0, all.stderr);
  assert.match(
    all.stdout,
    /^SEQ\s+TIME\s+ACTOR\s+ROLE\s+SOURCE\s+ACTION\s+TARGET\s+RESULT\s+PARAMS\n/,
  );
  assert.match(
    all.stdout,
    /token:deploy\s+operator\s+192\.0\.2\.9\s+breaker\.reset\s+breaker\/api\s+accepted/,
  );
  // A control character in params is shown, not obeyed.
  assert.equal(all.stdout.includes('\u001b'), false);
  assert.ok(all.stdout.includes('\\u001b[31mred'), all.stdout);
  const recent = JSON.parse((await mend('audit', 'list', '--since', '1h', '--json')).stdout);
  assert.equal(
    recent.some((r: { actor: string }) => r.actor === 'token:deploy'),
    false,
  );
  assert.ok(recent.length > 0);
  const byToken = JSON.parse((await mend('audit', 'list', '--actor', 'deploy', '--json')).stdout);
  assert.deepEqual(
    byToken.map((r: { requestId: string }) => r.requestId),
    ['req-7'],
  );
  const byAction = JSON.parse(
    (await mend('audit', 'list', '--action', 'token.revoke', '--json')).stdout,
  );
  assert.ok(
    byAction.length >= 1 && byAction.every((r: { action: string }) => r.action === 'token.revoke'),
  );
  const last = JSON.parse((await mend('audit', 'list', '--limit', '1', '--json')).stdout);
  assert.equal(last.length, 1);
  assert.equal(last[0].seq, Math.max(...recent.map((r: { seq: number }) => r.seq), 1));

  const claimed = await mend('approve', 'inc-1:approval:1', '--actor', 'token:admin', '--no-wait');
  assert.equal(claimed.code, 2);
  assert.match(claimed.stderr, /unknown option '--actor'/);
  const approved = await mend('deny', 'inc-1:approval:1', '--no-wait');
  assert.equal(approved.code, 0, approved.stderr);
  const reset = await mend('breaker', 'reset', 'api', 'restart', '--no-wait');
  assert.equal(reset.code, 0, reset.stderr);
  const operator = JSON.parse((await mend('audit', 'list', '--actor', me, '--json')).stdout);
  assert.deepEqual(
    operator
      .slice(-2)
      .map((r: { action: string; target: string; result: string }) => [
        r.action,
        r.target,
        r.result,
      ]),
    [
      ['approval.deny', 'approval/inc-1:approval:1', 'accepted'],
      ['breaker.reset', 'breaker/api/restart', 'accepted'],
    ],
  );
  const check = await openStore({ path: db });
  try {
    assert.equal((await verifyAuditLog(check)).ok, true);
  } finally {
    await check.close();
  }
});

test('mend audit list on a store that does not exist says so and creates nothing', async () => {
  const missing = join(dir, 'nope.db');
  const listed = await runMend(['audit', 'list', '--db', missing]);
  assert.equal(listed.code, 1);
  assert.match(listed.stderr, /no store at .*nope\.db/);
});
