import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateToken } from '../../../src/secrets/api-token.ts';
import { auditHash, GENESIS_HASH } from '../../../src/store/audit-chain.ts';
import type { AuditEntry, Store } from '../../../src/store/store.ts';
import { verifyAuditLog } from '../../../src/store/verify-audit.ts';
import type { MakeStore } from '../contract.ts';
import { approval } from './decision-fixtures.ts';
import { T0, withStore } from './fixtures.ts';

export function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: T0,
    actor: 'token:ops-alice',
    role: 'operator',
    source: '192.0.2.7',
    requestId: 'req-1',
    action: 'approval.approve',
    target: 'approval/inc-7:approval:1',
    params: { runbook: 'restart-api', note: 'ünïcödé "ok"', n: [1, 2.5, -0, 1e21] },
    result: 'ok',
    ...overrides,
  };
}

/** What a stored row says apart from its place in the chain. */
function content(stored: Awaited<ReturnType<Store['appendAudit']>>) {
  const { id: _, seq: _s, prevHash: _p, hash: _h, ...rest } = stored;
  return rest;
}

export function auditContract(makeStore: MakeStore): void {
  test('an entry comes back as appended, as a link of the chain; lists filter and order', () =>
    withStore(makeStore, async ({ store }) => {
      const first = await store.appendAudit(entry());
      assert.deepEqual(content(first), {
        ...entry(),
        params: JSON.parse(JSON.stringify(entry().params)),
      });
      assert.equal(first.seq, 1);
      assert.equal(first.prevHash, GENESIS_HASH);
      assert.match(first.hash, /^[0-9a-f]{64}$/);
      const second = await store.appendAudit(
        entry({ at: T0 + 10, actor: 'cli:bob', action: 'breaker.reset', role: undefined }),
      );
      const third = await store.appendAudit(
        entry({ at: T0 + 20, target: 'breaker/api', params: null }),
      );
      assert.deepEqual(
        [second.seq, second.prevHash, third.seq, third.prevHash],
        [2, first.hash, 3, second.hash],
      );
      assert.deepEqual(await store.auditHead(), { seq: 3, hash: third.hash });
      const ids = async (filter: Parameters<Store['listAudit']>[0]) =>
        (await store.listAudit(filter)).map((e) => e.id);
      assert.deepEqual(await ids({}), [first.id, second.id, third.id]);
      assert.deepEqual(await ids({ actor: 'cli:bob' }), [second.id]);
      assert.deepEqual(await ids({ actor: ['cli:bob', 'token:ops-alice'] }), [
        first.id,
        second.id,
        third.id,
      ]);
      assert.deepEqual(await ids({ actor: [] }), []);
      assert.deepEqual(await ids({ action: 'approval.approve' }), [first.id, third.id]);
      assert.deepEqual(await ids({ target: 'breaker/api' }), [third.id]);
      assert.deepEqual(await ids({ since: T0 + 10 }), [second.id, third.id]);
      assert.deepEqual(await ids({ until: T0 + 10 }), [first.id]);
      assert.deepEqual(await ids({ order: 'newest-first', limit: 1 }), [third.id]);
      assert.deepEqual(await store.listAudit(), [first, second, third]);
    }));

  test('each hash is the canonical content with the previous hash: the same on every database', () =>
    withStore(makeStore, async ({ store }) => {
      // Pinned, and computed apart from mend (Python's json.dumps with sort_keys and no spaces,
      // then sha256): a store whose rows hash differently cannot verify another's log.
      const stored = await store.appendAudit(
        entry({ params: { b: [true, null, 'x'], a: { d: 1.5, c: 'é' } } }),
      );
      assert.equal(stored.hash, auditHash(stored));
      assert.equal(stored.hash, 'df9d33d86d007363b677455afc2b0c62f3dd61b7b1bf1b35ed95f391bb908e56');
    }));

  test('who did it: role, source and request id when given, absent when not (the CLI)', () =>
    withStore(makeStore, async ({ store }) => {
      const cli = await store.appendAudit({
        at: T0,
        actor: 'cli:alice',
        action: 'token.revoke',
        target: 'token/ci',
        params: {},
        result: 'ok',
      });
      for (const absent of ['role', 'source', 'requestId']) assert.equal(absent in cli, false);
      const { id } = await store.addOperatorRequest(
        { ...approval(), actor: 'token:ops' },
        { role: 'operator', source: '2001:db8::1', requestId: 'req-9' },
      );
      const [, queued] = await store.listAudit();
      assert.deepEqual(content(queued!), {
        at: T0,
        actor: 'token:ops',
        role: 'operator',
        source: '2001:db8::1',
        requestId: 'req-9',
        action: 'approval.approve',
        target: 'approval/inc-3:approval:1',
        params: { requestId: id, approvalId: 'inc-3:approval:1', verdict: 'approve' },
        result: 'accepted',
      });
    }));

  test('a mend token is never kept: cut from params and target wherever it appears', () =>
    withStore(makeStore, async ({ store }) => {
      const token = generateToken();
      const stored = await store.appendAudit(
        entry({
          target: `POST /x?t=${token}`,
          params: { header: `Bearer ${token}`, nested: [{ [token]: token }] },
        }),
      );
      const all = JSON.stringify(await store.listAudit());
      assert.equal(all.includes(token), false, all);
      assert.equal(all.includes(token.slice(5)), false, all);
      assert.deepEqual(stored.params, {
        header: 'Bearer [redacted]',
        nested: [{ '[redacted]': '[redacted]' }],
      });
      assert.equal(stored.target, 'POST /x?t=[redacted]');
      assert.equal(stored.hash, auditHash(stored));
    }));

  test('outside the vocabulary is refused before anything is written; the head stays', () =>
    withStore(makeStore, async ({ store }) => {
      const kept = await store.appendAudit(entry());
      const refused = [
        entry({ action: 'approve' as AuditEntry['action'] }),
        entry({ result: 'maybe' as AuditEntry['result'] }),
        entry({ actor: 'mallory' }),
        entry({ actor: '' }),
        entry({ role: 'root' as AuditEntry['role'] }),
        entry({ target: '' }),
        entry({ source: 'a\u0000b' }),
        entry({ at: T0 + 0.5 }),
        entry({ params: { cycle: undefined as unknown, big: 10n } }),
      ];
      for (const bad of refused) {
        await assert.rejects(store.appendAudit(bad), TypeError, JSON.stringify(bad.action));
      }
      assert.deepEqual(await store.listAudit(), [kept]);
      assert.deepEqual(await store.auditHead(), { seq: 1, hash: kept.hash });
      // A lone surrogate is made well-formed, as PostgreSQL's driver would, so it hashes the same.
      const odd = await store.appendAudit(entry({ target: 'x\ud800y' }));
      assert.equal(odd.target, 'x\ufffdy');
      assert.equal((await store.listAudit({ target: 'x\ufffdy' }))[0]?.hash, auditHash(odd));
    }));

  test('the database itself refuses to change or delete an audit entry, or to fork the chain', () =>
    withStore(makeStore, async ({ store, execRaw }) => {
      const appended = await store.appendAudit(entry());
      await assert.rejects(execRaw(`update audit_log set actor = 'mallory'`), /append-only/);
      await assert.rejects(execRaw('delete from audit_log'), /append-only/);
      // A second row after the same row (a writer that raced past the head) is refused.
      const fork = (seq: number, prev: string) =>
        execRaw(
          `insert into audit_log (at, actor, action, target, params, result, seq, prev_hash, hash) values (1, 'cli:x', 'breaker.reset', 't', '{}', 'ok', ${seq}, '${prev}', '${'f'.repeat(64)}')`,
        );
      await assert.rejects(fork(2, GENESIS_HASH), /unique/i);
      await assert.rejects(fork(1, 'a'.repeat(64)), /unique/i);
      assert.deepEqual(await store.listAudit(), [appended]);
      // Negative control: the same raw path can write where nothing forbids it.
      await execRaw(`update signals set summary = 'x'`);
    }));

  test('writers on two connections append at once: one chain, no seq twice, no gap', () =>
    withStore(makeStore, async (harness) => {
      const other = await harness.another();
      const writes: Promise<unknown>[] = [];
      for (let n = 0; n < 20; n++) {
        writes.push(harness.store.appendAudit(entry({ at: T0 + n, requestId: `a-${n}` })));
        writes.push(other.appendAudit(entry({ at: T0 + n, requestId: `b-${n}` })));
      }
      await Promise.all(writes);
      const rows = await harness.store.listAudit();
      assert.deepEqual(
        rows.map((r) => r.seq).sort((a, b) => a - b),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      assert.deepEqual(await verifyAuditLog(harness.store), {
        ok: true,
        verified: 40,
        head: await other.auditHead(),
      });
    }));

  test('the chain reads back in append order, a page at a time, and verifies', () =>
    withStore(makeStore, async ({ store }) => {
      assert.deepEqual(await verifyAuditLog(store), {
        ok: true,
        verified: 0,
        head: { seq: 0, hash: GENESIS_HASH },
      });
      const appended = [];
      for (let n = 0; n < 5; n++) appended.push(await store.appendAudit(entry({ at: T0 - n })));
      const first = await store.readAuditChain({ limit: 2 });
      const rest = await store.readAuditChain({ limit: 10, afterId: first.at(-1)!.id });
      assert.deepEqual([...first, ...rest], appended);
      assert.equal(first.length, 2);
      // Times may go back (clocks do); the chain's order is the append order.
      assert.deepEqual(
        (await store.listAudit()).map((r) => r.seq),
        [5, 4, 3, 2, 1],
      );
      const verified = await verifyAuditLog(store, { seq: 3, hash: appended[2]!.hash });
      assert.deepEqual(verified, { ok: true, verified: 5, head: await store.auditHead() });
      const anchored = await verifyAuditLog(store, { seq: 3, hash: appended[1]!.hash });
      assert.equal(anchored.ok, false);
      assert.match(!anchored.ok ? anchored.problem.message : '', /row seq 3 .*anchor/);
      await assert.rejects(store.readAuditChain({ limit: 0 }), RangeError);
    }));
}
