import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../../../src/store/store.ts';
import type { MakeStore } from '../contract.ts';
import { countRows } from './decision-fixtures.ts';
import { opened, openIncident, resolveIncident, T0, withStore } from './fixtures.ts';

export function incidentContract(makeStore: MakeStore): void {
  test('an incident is named by the engine id, with its fields and an opened event', () =>
    withStore(makeStore, async ({ store }) => {
      const fields = { chronic: false, heals: [1, 2], nested: { 'ünï cödé': '"q"' }, none: null };
      await openIncident(store, opened({ fields }));
      const { incidentId, ...rest } = opened({ fields });
      const got = await store.getIncident('inc-1');
      const { timeline, ...incident } = got ?? { timeline: [] };
      assert.deepEqual(incident, { id: incidentId, status: 'open', ...rest });
      assert.equal('resolvedAt' in incident, false);
      assert.deepEqual(
        timeline.map((e) => [e.type, e.at, e.incidentId]),
        [['opened', T0, 'inc-1']],
      );
      await openIncident(store, opened({ incidentId: 'inc-2' }));
      assert.deepEqual((await store.getIncident('inc-2'))?.fields, {});
      // The row's own number is no name for it.
      assert.equal(await store.getIncident('1'), undefined);
    }));

  test('one incident per id: opening an open incident again changes nothing', () =>
    withStore(makeStore, async ({ store }) => {
      await openIncident(store);
      const first = await store.getIncident('inc-1');
      await openIncident(store, opened({ title: 'another title', openedAt: T0 + 5 }));
      assert.deepEqual(await store.getIncident('inc-1'), first);
      await openIncident(store, opened({ incidentId: 'inc-2' }));
      assert.deepEqual(
        (await store.listIncidents()).map((i) => i.id),
        ['inc-1', 'inc-2'],
      );
    }));

  test('concurrent opens of one id create exactly one incident, with one opened event', () =>
    withStore(makeStore, async (harness) => {
      const { store } = harness;
      await Promise.all(
        Array.from({ length: 10 }, (_, n) => openIncident(store, opened({ openedAt: T0 + n }))),
      );
      assert.equal((await store.listIncidents()).length, 1);
      assert.deepEqual(
        (await store.getIncident('inc-1'))?.timeline.map((e) => e.type),
        ['opened'],
      );
      // Read around the store: the database holds one row and one event.
      assert.equal(await countRows(harness, 'incidents'), 1);
      assert.equal(await countRows(harness, 'incident_events'), 1);
    }));

  test('the database itself refuses a second incident with the same id', () =>
    withStore(makeStore, async ({ store, execRaw }) => {
      await openIncident(store);
      await resolveIncident(store, 'inc-1', T0 + 1, 'healed');
      const insert = (id: string) =>
        execRaw(
          `insert into incidents (service, status, title, group_key, opened_at, resolved_at, fields) values ('api', 'open', 't', '${id}', ${T0 + 2}, null, '{}')`,
        );
      // Resolved or open, an id names one incident.
      await assert.rejects(insert('inc-1'));
      // Negative control: the same statement with an id the store does not have.
      await insert('inc-2');
      assert.deepEqual(
        (await store.listIncidents()).map((i) => [i.id, i.status]),
        [
          ['inc-1', 'resolved'],
          ['inc-2', 'open'],
        ],
      );
    }));

  test('the timeline is in time order, ties in append order, opened first and resolved last', () =>
    withStore(makeStore, async ({ store }) => {
      await openIncident(store);
      const append = (at: number, type: string, payload: unknown) =>
        store.appendIncidentEvent({ incidentId: 'inc-1', at, type, payload });
      const decision = await append(T0 + 30, 'decision', { policy: 'restart', reason: 'heal' });
      assert.deepEqual(decision, {
        id: decision.id,
        incidentId: 'inc-1',
        at: T0 + 30,
        type: 'decision',
        payload: { policy: 'restart', reason: 'heal' },
      });
      await append(T0 + 10, 'signal', { status: 'firing' });
      await append(T0 + 20, 'step', { index: 0, outcome: 'ok' });
      await append(T0 + 20, 'step', { index: 1, outcome: 'ok' });
      await resolveIncident(store, 'inc-1', T0 + 40, 'healthy again');
      const timeline = (await store.getIncident('inc-1'))?.timeline ?? [];
      assert.deepEqual(
        timeline.map((e) => [e.at - T0, e.type, e.incidentId, e.payload]),
        [
          [0, 'opened', 'inc-1', { title: opened().title }],
          [10, 'signal', 'inc-1', { status: 'firing' }],
          [20, 'step', 'inc-1', { index: 0, outcome: 'ok' }],
          [20, 'step', 'inc-1', { index: 1, outcome: 'ok' }],
          [30, 'decision', 'inc-1', { policy: 'restart', reason: 'heal' }],
          [40, 'resolved', 'inc-1', { reason: 'healthy again' }],
        ],
      );
    }));

  test('resolves once: resolving again changes nothing', () =>
    withStore(makeStore, async ({ store }) => {
      await openIncident(store);
      const { timeline: _, ...open } = (await store.getIncident('inc-1'))!;
      await resolveIncident(store, 'inc-1', T0 + 60_000, 'healed');
      const resolved = await store.getIncident('inc-1');
      const { timeline, ...incident } = resolved!;
      assert.deepEqual(incident, { ...open, status: 'resolved', resolvedAt: T0 + 60_000 });
      assert.deepEqual(await store.listIncidents({ status: 'resolved' }), [incident]);
      await resolveIncident(store, 'inc-1', T0 + 120_000, 'again');
      assert.deepEqual(await store.getIncident('inc-1'), resolved);
      assert.deepEqual(
        timeline.map((e) => e.type),
        ['opened', 'resolved'],
      );
    }));

  test('lists incidents by status, service and opening time', () =>
    withStore(makeStore, async ({ store }) => {
      await openIncident(store, opened({ incidentId: 'inc-1', openedAt: T0 }));
      await openIncident(store, opened({ incidentId: 'inc-2', service: 'db', openedAt: T0 + 10 }));
      await openIncident(store, opened({ incidentId: 'inc-3', openedAt: T0 + 20 }));
      await resolveIncident(store, 'inc-2', T0 + 30, 'ok');
      const ids = async (filter: Parameters<Store['listIncidents']>[0]) =>
        (await store.listIncidents(filter)).map((i) => i.id);
      assert.deepEqual(await ids({}), ['inc-1', 'inc-2', 'inc-3']);
      assert.deepEqual(await ids({ status: 'open' }), ['inc-1', 'inc-3']);
      assert.deepEqual(await ids({ status: 'resolved' }), ['inc-2']);
      assert.deepEqual(await ids({ service: 'db' }), ['inc-2']);
      assert.deepEqual(await ids({ since: T0 + 10, until: T0 + 20 }), ['inc-2']);
      assert.deepEqual(await ids({ order: 'newest-first', limit: 2 }), ['inc-3', 'inc-2']);
      const [listed] = await store.listIncidents({ status: 'resolved' });
      assert.equal(listed?.resolvedAt, T0 + 30);
      assert.equal('timeline' in (listed ?? {}), false);
    }));

  test('pages of incidents: after a cursor, in either order, ties on the time kept in order', () =>
    withStore(makeStore, async ({ store }) => {
      // inc-2 and inc-3 open in the same millisecond: a cursor by time alone would lose one.
      for (const [id, at] of [
        ['inc-1', T0],
        ['inc-2', T0 + 10],
        ['inc-3', T0 + 10],
        ['inc-4', T0 + 20],
      ] as const) {
        await openIncident(store, opened({ incidentId: id, openedAt: at }));
      }
      const pages = async (order: 'oldest-first' | 'newest-first') => {
        const seen: string[][] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listIncidents({ order, limit: 2, ...(after ? { after } : {}) });
          if (page.length === 0 || seen.length > 4) return seen;
          seen.push(page.map((i) => i.id));
          after = page.at(-1)!.id;
        }
      };
      assert.deepEqual(await pages('oldest-first'), [
        ['inc-1', 'inc-2'],
        ['inc-3', 'inc-4'],
      ]);
      assert.deepEqual(await pages('newest-first'), [
        ['inc-4', 'inc-3'],
        ['inc-2', 'inc-1'],
      ]);
      const afterOne = await store.listIncidents({ after: 'inc-2', service: 'api' });
      assert.deepEqual(
        afterOne.map((i) => i.id),
        ['inc-3', 'inc-4'],
      );
      await assert.rejects(store.listIncidents({ after: 'inc-9' }), {
        name: 'RangeError',
        message: /incident inc-9 does not exist/,
      });
    }));

  test('an incident that does not exist: undefined, and no events for it', () =>
    withStore(makeStore, async ({ store }) => {
      assert.equal(await store.getIncident('inc-404'), undefined);
      await assert.rejects(
        store.appendIncidentEvent({ incidentId: 'inc-404', at: T0, type: 'signal', payload: {} }),
        { name: 'RangeError', message: /incident inc-404 does not exist/ },
      );
      assert.deepEqual(await store.listIncidents(), []);
    }));
}
