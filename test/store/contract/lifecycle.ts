import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from '../../../src/store/store-error.ts';
import type { MakeStore } from '../contract.ts';
import {
  opened,
  openIncident,
  recordSignal,
  richObservation,
  signal,
  T0,
  withStore,
} from './fixtures.ts';

export function lifecycleContract(makeStore: MakeStore): void {
  test('ping answers while open; after close every call fails as unavailable', () =>
    withStore(makeStore, async ({ store }) => {
      await store.ping();
      await store.close();
      await store.close();
      const closed = { name: 'StoreError', kind: 'unavailable' };
      await assert.rejects(store.ping(), closed);
      await assert.rejects(recordSignal(store, signal()), closed);
      await assert.rejects(store.listSignals(), (error) => error instanceof StoreError);
    }));

  test('everything recorded is there after close and reopen; ids are not reused', () =>
    withStore(makeStore, async (harness) => {
      const before = harness.store;
      const signalId = await recordSignal(before, signal({ evidence: [richObservation(T0)] }));
      await openIncident(before, opened({ fields: { x: 1 } }));
      await before.appendIncidentEvent({
        incidentId: 'inc-1',
        at: T0 + 1,
        type: 'step',
        payload: [1],
      });
      const journaled = await before.appendJournal({
        runId: 'r',
        stepIndex: 0,
        attempt: 1,
        idempotencyKey: 'inc-1:heal:1:steps:0:1',
        phase: 'intent',
        at: T0 + 2,
        payload: {},
      });
      await before.appendAudit({
        at: T0 + 3,
        actor: 'cli:a',
        action: 'breaker.reset',
        target: 'c',
        params: {},
        result: 'ok',
      });
      const snapshot = async () => ({
        signals: await harness.store.listSignals(),
        decisions: await harness.store.listDecisions(),
        incident: await harness.store.getIncident('inc-1'),
        journal: await harness.store.listJournal('r'),
        audit: await harness.store.listAudit(),
        auditHead: await harness.store.auditHead(),
        tokens: await harness.store.listTokens(),
      });
      const recorded = await snapshot();

      const after = await harness.reopen();
      assert.notEqual(after, before);
      assert.deepEqual(await snapshot(), recorded);
      assert.equal(recorded.journal[0]?.id, journaled.entry.id);
      await after.migrate();
      assert.deepEqual(await snapshot(), recorded);
      assert.ok((await recordSignal(after, signal())) > signalId);
    }));

  test('a database with a migration this build does not know is refused', () =>
    withStore(makeStore, async (harness) => {
      await harness.execRaw(
        `insert into mend_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00.000Z')`,
      );
      await assert.rejects(harness.reopen(), (error) => {
        assert.ok(error instanceof StoreError);
        assert.equal(error.kind, 'unavailable');
        assert.match(error.message, /9999-from-the-future.*newer mend/);
        return true;
      });
    }));
}
