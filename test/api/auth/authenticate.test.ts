import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { authenticate, LAST_USED_EVERY_MS } from '../../../src/api/auth/authenticate.ts';
import { generateToken, hashToken } from '../../../src/secrets/api-token.ts';
import { openStore } from '../../../src/store/open.ts';
import type { Store, TokenRole } from '../../../src/store/store.ts';
import { holdWriteLock } from '../../store/sqlite-conditions.ts';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
let folder = '';
let store: Store;

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mend-auth-'));
  store = await openStore({ path: join(folder, 'mend.db') });
});
after(async () => {
  await store.close();
  await rm(folder, { recursive: true, force: true });
});

async function create(name: string, role: TokenRole, expiresAt?: number): Promise<string> {
  const token = generateToken();
  await store.createToken(
    { name, role, hash: hashToken(token), createdAt: T0, ...(expiresAt ? { expiresAt } : {}) },
    { actor: 'cli:test' },
  );
  return token;
}

const at = (now: number) => ({ now });

test('a valid token gives its name and role, in any case of the scheme', async () => {
  const token = await create('grafana', 'viewer');
  assert.deepEqual(await authenticate(`Bearer ${token}`, store, at(T0)), {
    ok: true,
    principal: { tokenName: 'grafana', role: 'viewer' },
  });
  assert.equal((await authenticate(`bearer  ${token}`, store, at(T0))).ok, true);
});

test('each refusal says why, never echoing the token', async () => {
  const expiring = await create('short', 'operator', T0 + 1000);
  const revoked = await create('gone', 'admin');
  await store.revokeToken('gone', T0 + 5, { actor: 'cli:test' });
  const cases: [string | string[] | undefined, string, string?][] = [
    [undefined, 'missing'],
    ['', 'missing'],
    [['Bearer a', 'Bearer b'], 'malformed'],
    ['Basic dXNlcjpwYXNz', 'malformed'],
    ['Bearer', 'malformed'],
    [`Bearer ${expiring} extra`, 'malformed'],
    ['Bearer not-a-mend-token', 'malformed'],
    [`Bearer ${expiring.slice(0, -1)}`, 'malformed'],
    [`Bearer ${generateToken()}`, 'unknown'],
    [`Bearer ${expiring.slice(0, -1)}${expiring.endsWith('A') ? 'B' : 'A'}`, 'unknown'],
    [`Bearer ${revoked}`, 'revoked', 'gone'],
    [`Bearer ${expiring}`, 'expired', 'short'],
  ];
  for (const [header, reason, tokenName] of cases) {
    const result = await authenticate(header, store, at(T0 + 1000));
    assert.equal(result.ok, false, String(header));
    if (result.ok) continue;
    assert.equal(result.reason, reason, String(header));
    assert.equal(result.tokenName, tokenName);
    assert.ok(result.message.length > 10);
    assert.equal(result.message.includes(expiring.slice(5, 20)), false);
    assert.equal(result.message.includes(revoked.slice(5, 20)), false);
  }
  // A moment before its expiry, the same token is accepted.
  assert.equal((await authenticate(`Bearer ${expiring}`, store, at(T0 + 999))).ok, true);
});

test('revoked by another store (the CLI, beside the API) is refused at the very next request', async () => {
  const token = await create('deploy', 'operator');
  assert.equal((await authenticate(`Bearer ${token}`, store, at(T0))).ok, true);
  const cli = await openStore({ path: join(folder, 'mend.db') });
  await cli.revokeToken('deploy', T0 + 1, { actor: 'cli:alice' });
  await cli.close();
  const refused = await authenticate(`Bearer ${token}`, store, at(T0 + 2));
  assert.deepEqual(refused.ok ? undefined : refused.reason, 'revoked');
});

test('last use is written at most once a minute per token', async () => {
  const token = await create('scraper', 'viewer');
  const lastUsed = async () =>
    (await store.listTokens()).find((t) => t.name === 'scraper')?.lastUsedAt;
  assert.equal(await lastUsed(), undefined);
  await authenticate(`Bearer ${token}`, store, at(T0 + 10));
  assert.equal(await lastUsed(), T0 + 10);
  await authenticate(`Bearer ${token}`, store, at(T0 + 10 + LAST_USED_EVERY_MS - 1));
  assert.equal(await lastUsed(), T0 + 10);
  await authenticate(`Bearer ${token}`, store, at(T0 + 10 + LAST_USED_EVERY_MS));
  assert.equal(await lastUsed(), T0 + 10 + LAST_USED_EVERY_MS);
});

test('a last use that cannot be recorded (another process holds the write lock) does not refuse the request', async () => {
  const token = await create('ro', 'viewer');
  const path = join(folder, 'mend.db');
  const impatient = await openStore({ path, busyTimeoutMs: 50 });
  const lock = await holdWriteLock(path);
  const errors: unknown[] = [];
  try {
    const result = await authenticate(`Bearer ${token}`, impatient, {
      now: T0,
      onTouchError: (error) => errors.push(error),
    });
    assert.deepEqual(result, { ok: true, principal: { tokenName: 'ro', role: 'viewer' } });
  } finally {
    await lock.release();
    await impatient.close();
  }
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /locked/);
});
