import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateToken, hashToken } from '../../../src/secrets/api-token.ts';
import type { AuditActor, NewToken } from '../../../src/store/store.ts';
import { verifyAuditLog } from '../../../src/store/verify-audit.ts';
import type { MakeStore } from '../contract.ts';
import { T0, withStore } from './fixtures.ts';

const CLI: AuditActor = { actor: 'cli:alice' };
const ADMIN: AuditActor = {
  actor: 'token:root',
  role: 'admin',
  source: '127.0.0.1',
  requestId: 'r1',
};

function token(name: string, overrides: Partial<NewToken> = {}): NewToken {
  return { name, role: 'viewer', hash: hashToken(generateToken()), createdAt: T0, ...overrides };
}

export function tokenContract(makeStore: MakeStore): void {
  test('a token is kept by its hash and listed without it; creating it is audited', () =>
    withStore(makeStore, async ({ store, queryRaw }) => {
      const secret = generateToken();
      const created = await store.createToken(
        token('ci-bot', {
          role: 'ingest',
          hash: hashToken(secret),
          expiresAt: T0 + 90 * 86_400_000,
        }),
        CLI,
      );
      assert.deepEqual(created, {
        name: 'ci-bot',
        role: 'ingest',
        createdAt: T0,
        expiresAt: T0 + 90 * 86_400_000,
      });
      const other = await store.createToken(token('grafana.ro'), ADMIN);
      assert.deepEqual(other, { name: 'grafana.ro', role: 'viewer', createdAt: T0 });
      assert.deepEqual(await store.listTokens(), [created, other]);
      assert.deepEqual(await store.findToken(hashToken(secret)), {
        ...created,
        hash: hashToken(secret),
      });
      assert.equal(await store.findToken(hashToken(generateToken())), undefined);
      // Nothing in the database holds the token itself.
      const everything = JSON.stringify([
        await queryRaw('select * from api_tokens'),
        await queryRaw('select * from audit_log'),
      ]);
      assert.equal(everything.includes(secret), false);
      assert.equal(everything.includes(secret.slice(5)), false);
      assert.deepEqual(
        (await store.listAudit()).map((e) => [
          e.actor,
          e.role,
          e.source,
          e.requestId,
          e.action,
          e.target,
          e.params,
          e.result,
        ]),
        [
          [
            'cli:alice',
            undefined,
            undefined,
            undefined,
            'token.create',
            'token/ci-bot',
            { role: 'ingest', expiresAt: T0 + 90 * 86_400_000 },
            'ok',
          ],
          [
            'token:root',
            'admin',
            '127.0.0.1',
            'r1',
            'token.create',
            'token/grafana.ro',
            { role: 'viewer' },
            'ok',
          ],
        ],
      );
      assert.equal((await verifyAuditLog(store)).ok, true);
    }));

  test('names are unique for ever: a duplicate, even of a revoked token, is refused and not audited', () =>
    withStore(makeStore, async ({ store }) => {
      await store.createToken(token('ci'), CLI);
      await assert.rejects(store.createToken(token('ci'), CLI), /token named ci exists already/);
      await store.revokeToken('ci', T0 + 5, CLI);
      await assert.rejects(
        store.createToken(token('ci'), CLI),
        (error) =>
          error instanceof RangeError && /revoked: names are never reused/.test(error.message),
      );
      assert.deepEqual(
        (await store.listAudit()).map((e) => e.action),
        ['token.create', 'token.revoke'],
      );
      assert.equal((await store.listTokens()).length, 1);
    }));

  test('two processes creating the same name at once: exactly one gets it', () =>
    withStore(makeStore, async (harness) => {
      const other = await harness.another();
      const results = await Promise.allSettled([
        harness.store.createToken(token('race'), CLI),
        other.createToken(token('race'), { actor: 'cli:bob' }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      assert.equal((await harness.store.listTokens()).length, 1);
      assert.equal((await harness.store.listAudit()).length, 1);
    }));

  test('revoked at once, audited once; revoking again changes nothing; unknown names refused', () =>
    withStore(makeStore, async ({ store }) => {
      const secret = generateToken();
      await store.createToken(token('deploy', { role: 'operator', hash: hashToken(secret) }), CLI);
      const first = await store.revokeToken('deploy', T0 + 7, ADMIN);
      assert.deepEqual(first, {
        revoked: true,
        token: { name: 'deploy', role: 'operator', createdAt: T0, revokedAt: T0 + 7 },
      });
      assert.deepEqual(await store.findToken(hashToken(secret)), {
        ...first.token,
        hash: hashToken(secret),
      });
      const again = await store.revokeToken('deploy', T0 + 9, CLI);
      assert.deepEqual(again, { revoked: false, token: first.token });
      await assert.rejects(store.revokeToken('nobody', T0, CLI), /no token named nobody/);
      const audit = await store.listAudit();
      assert.deepEqual(
        audit.map((e) => [e.actor, e.action, e.target, e.at]),
        [
          ['cli:alice', 'token.create', 'token/deploy', T0],
          ['token:root', 'token.revoke', 'token/deploy', T0 + 7],
        ],
      );
    }));

  test('a token found is found as it is now: revoked or used through another connection, or through this one', () =>
    withStore(makeStore, async (harness) => {
      const secret = generateToken();
      const hash = hashToken(secret);
      await harness.store.createToken(token('ci', { role: 'ingest', hash }), CLI);
      // Asked twice, as at two requests: the second answer may be one the store kept.
      assert.equal((await harness.store.findToken(hash))?.revokedAt, undefined);
      assert.equal((await harness.store.findToken(hash))?.revokedAt, undefined);
      // Another process (mend token revoke beside the controller) revokes it.
      const other = await harness.another();
      await other.revokeToken('ci', T0 + 5, { actor: 'cli:bob' });
      assert.equal((await harness.store.findToken(hash))?.revokedAt, T0 + 5);
      // Last use, written by this store, then by the other.
      const second = generateToken();
      await harness.store.createToken(token('ro', { hash: hashToken(second) }), CLI);
      assert.equal((await harness.store.findToken(hashToken(second)))?.lastUsedAt, undefined);
      await harness.store.touchToken('ro', T0 + 10);
      assert.equal((await harness.store.findToken(hashToken(second)))?.lastUsedAt, T0 + 10);
      await other.touchToken('ro', T0 + 20);
      assert.equal((await harness.store.findToken(hashToken(second)))?.lastUsedAt, T0 + 20);
      // A token created by the other is found here at once; an unknown hash is never kept.
      const third = generateToken();
      assert.equal(await harness.store.findToken(hashToken(third)), undefined);
      await other.createToken(token('late', { hash: hashToken(third) }), { actor: 'cli:bob' });
      assert.equal((await harness.store.findToken(hashToken(third)))?.name, 'late');
    }));

  test('last use moves forward only', () =>
    withStore(makeStore, async ({ store }) => {
      await store.createToken(token('t'), CLI);
      await store.touchToken('t', T0 + 100);
      await store.touchToken('t', T0 + 50);
      assert.equal((await store.listTokens())[0]?.lastUsedAt, T0 + 100);
      await store.touchToken('t', T0 + 200);
      assert.equal((await store.listTokens())[0]?.lastUsedAt, T0 + 200);
      // Not audited: a use is not a change anyone made.
      assert.equal((await store.listAudit()).length, 1);
    }));

  test('a malformed token is refused before anything is written', () =>
    withStore(makeStore, async ({ store }) => {
      const malformed: NewToken[] = [
        token(''),
        token('has space'),
        token('colon:name'),
        token('-leading'),
        token('x'.repeat(65)),
        token(`mend_${'A'.repeat(43)}`),
        token('ok', { role: 'root' as NewToken['role'] }),
        token('ok', { hash: generateToken() }),
        token('ok', { createdAt: T0 + 0.5 }),
        token('ok', { expiresAt: T0 }),
      ];
      for (const bad of malformed) {
        await assert.rejects(store.createToken(bad, CLI), TypeError, JSON.stringify(bad));
      }
      await assert.rejects(store.createToken(token('ok'), { actor: 'mallory' }), TypeError);
      assert.deepEqual(await store.listTokens(), []);
      assert.deepEqual(await store.listAudit(), []);
      assert.equal((await store.createToken(token('x'.repeat(64)), CLI)).name.length, 64);
    }));
}
