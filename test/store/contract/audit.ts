import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEntry, Store } from '../../../src/store/store.ts';
import type { MakeStore } from '../contract.ts';
import { T0, withStore } from './fixtures.ts';

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: T0,
    actor: 'token:ops-alice',
    action: 'approve',
    target: 'incident/7',
    details: { runbook: 'restart-api', note: 'ünïcödé "ok"' },
    ...overrides,
  };
}

export function auditContract(makeStore: MakeStore): void {
  test('an entry comes back as appended; lists filter and order', () =>
    withStore(makeStore, async ({ store }) => {
      const first = await store.appendAudit(entry());
      assert.deepEqual(first, { ...entry(), id: first.id });
      const second = await store.appendAudit(
        entry({ at: T0 + 10, actor: 'cli', action: 'silence' }),
      );
      const third = await store.appendAudit(
        entry({ at: T0 + 20, target: 'policy/p1', details: null }),
      );
      const ids = async (filter: Parameters<Store['listAudit']>[0]) =>
        (await store.listAudit(filter)).map((e) => e.id);
      assert.deepEqual(await ids({}), [first.id, second.id, third.id]);
      assert.deepEqual(await ids({ actor: 'cli' }), [second.id]);
      assert.deepEqual(await ids({ action: 'approve' }), [first.id, third.id]);
      assert.deepEqual(await ids({ target: 'policy/p1' }), [third.id]);
      assert.deepEqual(await ids({ since: T0 + 10 }), [second.id, third.id]);
      assert.deepEqual(await ids({ until: T0 + 10 }), [first.id]);
      assert.deepEqual(await ids({ order: 'newest-first', limit: 1 }), [third.id]);
      assert.deepEqual((await store.listAudit({ target: 'policy/p1' }))[0]?.details, null);
    }));

  test('the database itself refuses to change or delete an audit entry', () =>
    withStore(makeStore, async ({ store, execRaw }) => {
      const appended = await store.appendAudit(entry());
      await assert.rejects(execRaw(`update audit_log set actor = 'mallory'`), /append-only/);
      await assert.rejects(execRaw('delete from audit_log'), /append-only/);
      assert.deepEqual(await store.listAudit(), [appended]);
      // Negative control: the same raw path can write where nothing forbids it.
      await execRaw(`update signals set summary = 'x'`);
    }));
}
