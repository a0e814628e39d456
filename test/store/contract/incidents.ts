import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NewIncident, Store } from '../../../src/store/store.ts';
import type { MakeStore } from '../contract.ts';
import { T0, withStore } from './fixtures.ts';

function incident(overrides: Partial<NewIncident> = {}): NewIncident {
  return {
    service: 'api',
    title: 'api/health failing: connect ECONNREFUSED',
    groupKey: 'api/health',
    openedAt: T0,
    ...overrides,
  };
}

async function open(store: Store, overrides: Partial<NewIncident> = {}) {
  return (await store.openIncident(incident(overrides))).incident;
}

export function incidentContract(makeStore: MakeStore): void {
  test('opens an incident with its fields, and an opened event', () =>
    withStore(makeStore, async ({ store }) => {
      const fields = { chronic: false, heals: [1, 2], nested: { 'ünï cödé': '"q"' }, none: null };
      const { created, incident: opened } = await store.openIncident(incident({ fields }));
      assert.equal(created, true);
      assert.deepEqual(opened, { id: opened.id, status: 'open', ...incident({ fields }) });
      assert.equal('resolvedAt' in opened, false);
      const got = await store.getIncident(opened.id);
      assert.deepEqual(
        got?.timeline.map((e) => [e.type, e.at, e.incidentId]),
        [['opened', T0, opened.id]],
      );
      const { fields: _, ...withoutFields } = incident();
      assert.deepEqual((await open(store, { ...withoutFields, groupKey: 'other' })).fields, {});
    }));

  test('one open incident per group: opening it again returns the open one', () =>
    withStore(makeStore, async ({ store }) => {
      const first = await open(store);
      const again = await store.openIncident(
        incident({ title: 'another title', openedAt: T0 + 5 }),
      );
      assert.equal(again.created, false);
      assert.deepEqual(again.incident, first);
      const other = await store.openIncident(incident({ groupKey: 'api/latency' }));
      assert.equal(other.created, true);
      assert.notEqual(other.incident.id, first.id);
      assert.equal((await store.getIncident(first.id))?.timeline.length, 1);
    }));

  test('concurrent opens of one group create exactly one incident', () =>
    withStore(makeStore, async ({ store }) => {
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, n) => store.openIncident(incident({ openedAt: T0 + n }))),
      );
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.incident.id)).size, 1);
      assert.equal((await store.listIncidents()).length, 1);
    }));

  test('the timeline is in time order, ties in append order, opened first and resolved last', () =>
    withStore(makeStore, async ({ store }) => {
      const { id } = await open(store);
      const append = (at: number, type: string, payload: unknown) =>
        store.appendIncidentEvent({ incidentId: id, at, type, payload });
      const decision = await append(T0 + 30, 'decision', { policy: 'restart', reason: 'heal' });
      assert.deepEqual(decision, {
        id: decision.id,
        incidentId: id,
        at: T0 + 30,
        type: 'decision',
        payload: { policy: 'restart', reason: 'heal' },
      });
      await append(T0 + 10, 'signal', { status: 'firing' });
      await append(T0 + 20, 'step', { index: 0, outcome: 'ok' });
      await append(T0 + 20, 'step', { index: 1, outcome: 'ok' });
      await store.resolveIncident(id, { at: T0 + 40, reason: 'healthy again' });
      const timeline = (await store.getIncident(id))?.timeline ?? [];
      assert.deepEqual(
        timeline.map((e) => [e.at - T0, e.type, e.payload]),
        [
          [0, 'opened', { title: incident().title, groupKey: incident().groupKey }],
          [10, 'signal', { status: 'firing' }],
          [20, 'step', { index: 0, outcome: 'ok' }],
          [20, 'step', { index: 1, outcome: 'ok' }],
          [30, 'decision', { policy: 'restart', reason: 'heal' }],
          [40, 'resolved', { reason: 'healthy again' }],
        ],
      );
    }));

  test('resolves once: resolving again changes nothing', () =>
    withStore(makeStore, async ({ store }) => {
      const opened = await open(store);
      const { id } = opened;
      const resolved = await store.resolveIncident(id, { at: T0 + 60_000, reason: 'healed' });
      assert.deepEqual(resolved, { ...opened, status: 'resolved', resolvedAt: T0 + 60_000 });
      assert.deepEqual(await store.listIncidents({ status: 'resolved' }), [resolved]);
      const again = await store.resolveIncident(id, { at: T0 + 120_000, reason: 'again' });
      assert.deepEqual(again, resolved);
      const timeline = (await store.getIncident(id))?.timeline ?? [];
      assert.deepEqual(
        timeline.map((e) => e.type),
        ['opened', 'resolved'],
      );
    }));

  test('a resolved group opens a new incident next time', () =>
    withStore(makeStore, async ({ store }) => {
      const first = await open(store);
      await store.resolveIncident(first.id, { at: T0 + 1000, reason: 'healed' });
      const next = await store.openIncident(incident({ openedAt: T0 + 5000 }));
      assert.equal(next.created, true);
      assert.ok(next.incident.id > first.id);
    }));

  test('lists incidents by status, service, group and opening time', () =>
    withStore(makeStore, async ({ store }) => {
      const a = await open(store, { groupKey: 'a', openedAt: T0 });
      const b = await open(store, { groupKey: 'b', service: 'db', openedAt: T0 + 10 });
      const c = await open(store, { groupKey: 'c', openedAt: T0 + 20 });
      await store.resolveIncident(b.id, { at: T0 + 30, reason: 'ok' });
      const ids = async (filter: Parameters<Store['listIncidents']>[0]) =>
        (await store.listIncidents(filter)).map((i) => i.id);
      assert.deepEqual(await ids({}), [a.id, b.id, c.id]);
      assert.deepEqual(await ids({ status: 'open' }), [a.id, c.id]);
      assert.deepEqual(await ids({ status: 'resolved' }), [b.id]);
      assert.deepEqual(await ids({ service: 'db' }), [b.id]);
      assert.deepEqual(await ids({ groupKey: 'c' }), [c.id]);
      assert.deepEqual(await ids({ since: T0 + 10, until: T0 + 20 }), [b.id]);
      assert.deepEqual(await ids({ order: 'newest-first', limit: 2 }), [c.id, b.id]);
      const [listedB] = await store.listIncidents({ status: 'resolved' });
      assert.equal(listedB?.resolvedAt, T0 + 30);
      assert.equal('timeline' in (listedB ?? {}), false);
    }));

  test('an incident that does not exist: undefined, and no events for it', () =>
    withStore(makeStore, async ({ store }) => {
      assert.equal(await store.getIncident(424242), undefined);
      assert.equal(await store.resolveIncident(424242, { at: T0, reason: 'x' }), undefined);
      await assert.rejects(
        store.appendIncidentEvent({ incidentId: 424242, at: T0, type: 'signal', payload: {} }),
      );
      assert.deepEqual(await store.listIncidents(), []);
    }));
}
