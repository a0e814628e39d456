import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from '../../../src/store/store-error.ts';
import type { MakeStore } from '../contract.ts';
import { richObservation, signal, T0, withStore } from './fixtures.ts';

export function lifecycleContract(makeStore: MakeStore): void {
  test('ping answers while open; after close every call fails as unavailable', () =>
    withStore(makeStore, async ({ store }) => {
      await store.ping();
      await store.close();
      await store.close();
      const closed = { name: 'StoreError', kind: 'unavailable' };
      await assert.rejects(store.ping(), closed);
      await assert.rejects(store.recordSignal(signal()), closed);
      await assert.rejects(store.listSignals(), (error) => error instanceof StoreError);
    }));

  test('everything recorded is there after close and reopen; ids are not reused', () =>
    withStore(makeStore, async (harness) => {
      const before = harness.store;
      const signalId = await before.recordSignal(signal({ evidence: [richObservation(T0)] }));
      const { incident } = await before.openIncident({
        service: 'api',
        title: 't',
        groupKey: 'g',
        openedAt: T0,
        fields: { x: 1 },
      });
      await before.appendIncidentEvent({
        incidentId: incident.id,
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
      await before.appendAudit({ at: T0 + 3, actor: 'a', action: 'b', target: 'c', details: {} });
      const snapshot = async () => ({
        signals: await harness.store.listSignals(),
        incident: await harness.store.getIncident(incident.id),
        journal: await harness.store.listJournal('r'),
        audit: await harness.store.listAudit(),
      });
      const recorded = await snapshot();

      const after = await harness.reopen();
      assert.notEqual(after, before);
      assert.deepEqual(await snapshot(), recorded);
      assert.equal(recorded.journal[0]?.id, journaled.entry.id);
      await after.migrate();
      assert.deepEqual(await snapshot(), recorded);
      assert.ok((await after.recordSignal(signal())) > signalId);
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
