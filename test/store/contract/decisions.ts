import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecisionRecord } from '../../../src/store/store.ts';
import type { MakeStore } from '../contract.ts';
import { approval, decisionOf, heal, recordTables, seqs, tick } from './decision-fixtures.ts';
import { richObservation, signal, T0, withStore } from './fixtures.ts';

export function decisionContract(makeStore: MakeStore): void {
  test('a decision comes back as recorded, without the engine state', () =>
    withStore(makeStore, async ({ store }) => {
      const input = { kind: 'approval', at: T0, approvalId: 'inc-1:approval:1', nested: [null] };
      const decision = decisionOf([{ kind: 'page', id: 'inc-1:page:1' }], [{ type: 'decision' }]);
      const { seq } = await store.recordDecision({
        at: T0 + 5,
        input,
        decision,
        configRevision: 'sha256:abc',
      });
      const { state: _, ...kept } = decision;
      assert.deepEqual(await store.listDecisions(), [
        { seq, at: T0 + 5, kind: 'approval', input, decision: kept, configRevision: 'sha256:abc' },
      ]);
      const [stored] = await store.listDecisions();
      assert.equal(stored !== undefined && 'signalId' in stored, false);
      assert.equal(stored !== undefined && 'state' in stored.decision, false);
    }));

  test('seqs increase in recording order, which lists keep whatever the times', () =>
    withStore(makeStore, async ({ store }) => {
      const recorded = [];
      for (const at of [T0 + 30, T0 + 10, T0 + 20, T0 + 10]) {
        recorded.push((await store.recordDecision(tick(at))).seq);
      }
      assert.deepEqual(
        recorded,
        [...recorded].sort((a, b) => a - b),
      );
      assert.equal(new Set(recorded).size, 4);
      const [a, b, c, d] = recorded;
      assert.deepEqual(await seqs(store), recorded);
      assert.deepEqual(
        (await store.listDecisions()).map((x) => x.at - T0),
        [30, 10, 20, 10],
      );
      assert.deepEqual(await seqs(store, { afterSeq: b }), [c, d]);
      assert.deepEqual(await seqs(store, { afterSeq: d }), []);
      assert.deepEqual(await seqs(store, { afterSeq: 0 }), recorded);
      assert.deepEqual(await seqs(store, { since: T0 + 20 }), [a, c]);
      assert.deepEqual(await seqs(store, { until: T0 + 20 }), [b, d]);
      assert.deepEqual(await seqs(store, { afterSeq: a, limit: 2 }), [b, c]);
      assert.deepEqual(await seqs(store, { limit: 0 }), []);
      await assert.rejects(store.listDecisions({ afterSeq: 1.5 }), TypeError);
    }));

  test('a signal input records the signal and its evidence, linked to the input', () =>
    withStore(makeStore, async ({ store }) => {
      const carried = signal({ evidence: [richObservation(T0 - 1000)] });
      const input = { kind: 'signal', at: T0, signal: carried };
      const { seq } = await store.recordDecision({ ...tick(T0), input, signal: carried });
      const [stored] = await store.listSignals();
      assert.deepEqual(stored, { ...carried, id: stored?.id });
      const [decision] = await store.listDecisions();
      assert.equal(decision?.seq, seq);
      assert.equal(decision?.signalId, stored?.id);
      assert.equal(decision?.kind, 'signal');
      assert.deepEqual(decision?.input, input);
    }));

  test('incidents open, collect events and resolve by engine id, in one step or several', () =>
    withStore(makeStore, async ({ store }) => {
      const fields = { chronic: true };
      const opened = {
        incidentId: 'inc-1',
        service: 'api',
        title: 'api down',
        openedAt: T0,
        fields,
      };
      await store.recordDecision({
        ...tick(T0),
        incidents: {
          opened: [opened],
          events: [{ incidentId: 'inc-1', at: T0, type: 'decision', payload: { verdict: 'heal' } }],
        },
      });
      const [incident] = await store.listIncidents();
      assert.deepEqual(incident, {
        id: 'inc-1',
        service: 'api',
        status: 'open',
        title: 'api down',
        openedAt: T0,
        fields,
      });
      // Opening an open incident again (a replica that lost the race): the open one stays.
      await store.recordDecision({
        ...tick(T0 + 10),
        incidents: {
          opened: [{ ...opened, title: 'again', openedAt: T0 + 10 }],
          events: [{ incidentId: 'inc-1', at: T0 + 10, type: 'outcome', payload: 'ok' }],
          resolved: [{ incidentId: 'inc-1', at: T0 + 20, reason: 'healthy again' }],
        },
      });
      // A resolved incident still takes events: an outcome can come after it resolved.
      await store.recordDecision({
        ...tick(T0 + 30),
        incidents: { events: [{ incidentId: 'inc-1', at: T0 + 30, type: 'note', payload: null }] },
      });
      const got = await store.getIncident('inc-1');
      assert.equal(got?.status, 'resolved');
      assert.equal(got?.resolvedAt, T0 + 20);
      assert.deepEqual(
        got?.timeline.map((e) => [e.at - T0, e.type, e.payload]),
        [
          [0, 'opened', { title: 'api down' }],
          [0, 'decision', { verdict: 'heal' }],
          [10, 'outcome', 'ok'],
          [20, 'resolved', { reason: 'healthy again' }],
          [30, 'note', null],
        ],
      );
      assert.equal((await store.listIncidents()).length, 1);
    }));

  test('an id is opened once: opening a resolved incident again is refused, and nothing written', () =>
    withStore(makeStore, async (harness) => {
      const { store } = harness;
      const open = { incidentId: 'inc-1', service: 'api', title: 't', openedAt: T0 };
      await store.recordDecision({
        ...tick(T0),
        incidents: {
          opened: [open],
          resolved: [{ incidentId: 'inc-1', at: T0 + 1, reason: 'ok' }],
        },
      });
      const before = await recordTables(harness);
      const resolved = await store.getIncident('inc-1');
      await assert.rejects(
        store.recordDecision({
          ...tick(T0 + 2),
          signal: signal(),
          incidents: {
            opened: [{ ...open, openedAt: T0 + 2 }],
            events: [{ incidentId: 'inc-1', at: T0 + 3, type: 'signal', payload: {} }],
          },
          commands: [heal('inc-1:heal:1')],
        }),
        { name: 'RangeError', message: /inc-1 is resolved/ },
      );
      assert.deepEqual(await recordTables(harness), before);
      assert.deepEqual(await store.getIncident('inc-1'), resolved);
      assert.equal(resolved?.status, 'resolved');
    }));

  test('an event for an unknown incident: nothing of the record is written', () =>
    withStore(makeStore, async (harness) => {
      const { store } = harness;
      const { id: requestId } = await store.addOperatorRequest(approval());
      const everything = (events: DecisionRecord['incidents']): DecisionRecord => ({
        ...tick(T0),
        signal: signal(),
        incidents: events,
        commands: [heal('inc-1:heal:1')],
        operatorRequestId: requestId,
      });
      const opened = [{ incidentId: 'inc-1', service: 'api', title: 't', openedAt: T0 }];
      const unknown = { incidentId: 'inc-404', at: T0, type: 'decision', payload: {} };
      const before = await recordTables(harness);
      await assert.rejects(
        store.recordDecision(everything({ opened, events: [unknown] })),
        /inc-404/,
      );
      assert.deepEqual(await recordTables(harness), before);
      assert.equal((await store.getOperatorRequest(requestId))?.status, 'pending');
      assert.deepEqual(await store.listCommands(), []);
      await assert.rejects(
        store.recordDecision(everything({ resolved: [{ ...unknown, reason: 'x' }] })),
        /inc-404/,
      );
      assert.deepEqual(await recordTables(harness), before);

      // Negative control: the same record without the unknown incident writes every part.
      await store.recordDecision(everything({ opened }));
      assert.deepEqual(await recordTables(harness), {
        engine_inputs: 1,
        signals: 1,
        observations: 2,
        incidents: 1,
        incident_events: 1,
        commands: 1,
      });
      assert.equal((await store.getOperatorRequest(requestId))?.status, 'applied');
    }));

  test('a value that cannot be stored is refused before anything is written', () =>
    withStore(makeStore, async (harness) => {
      const { store } = harness;
      const before = await recordTables(harness);
      const bad: DecisionRecord[] = [
        { ...tick(T0), at: T0 + 0.5 },
        { ...tick(T0), input: { kind: 'tick', at: 10n } as unknown as { kind: string } },
        { ...tick(T0), input: { kind: '' } },
        { ...tick(T0), configRevision: '' },
        { ...tick(T0), signal: signal({ at: T0 + 0.5 }) },
        { ...tick(T0), commands: [heal('c', { payload: { n: 1n } })] },
        {
          ...tick(T0),
          incidents: { events: [{ incidentId: 'i', at: 1.5, type: 't', payload: 0 }] },
        },
        { ...tick(T0), operatorRequestId: 1.5 },
      ];
      for (const record of bad) await assert.rejects(store.recordDecision(record), TypeError);
      assert.deepEqual(await recordTables(harness), before);
    }));

  test('the database itself refuses to change or delete a recorded input', () =>
    withStore(makeStore, async ({ store, execRaw }) => {
      await store.recordDecision(tick(T0));
      const recorded = await store.listDecisions();
      await assert.rejects(execRaw(`update engine_inputs set kind = 'forged'`), /append-only/);
      await assert.rejects(execRaw('delete from engine_inputs'), /append-only/);
      assert.deepEqual(await store.listDecisions(), recorded);
      // Negative control: the same raw path can change a table nothing protects.
      await execRaw(`update engine_snapshots set at = 0`);
    }));

  test('concurrent records all land, each with its own seq', () =>
    withStore(makeStore, async ({ store }) => {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, n) =>
          store.recordDecision({ ...tick(T0 + n), commands: [heal(`inc-${n}:heal:1`)] }),
        ),
      );
      const recorded = results.map((r) => r.seq);
      assert.equal(new Set(recorded).size, 30);
      assert.deepEqual(
        await seqs(store),
        [...recorded].sort((a, b) => a - b),
      );
      assert.equal((await store.listCommands()).length, 30);
    }));

  test('the journal is all there after close and reopen', () =>
    withStore(makeStore, async (harness) => {
      const { id } = await harness.store.addOperatorRequest(approval());
      await harness.store.recordDecision({ ...tick(T0), commands: [heal('inc-1:heal:1')] });
      await harness.store.recordDecision({ ...tick(T0 + 1), operatorRequestId: id });
      const { seq } = await harness.store.recordDecision(tick(T0 + 2));
      await harness.store.saveSnapshot({
        inputSeq: seq,
        at: T0 + 2,
        state: [1],
        configRevision: 'r',
      });
      const read = async () => ({
        decisions: await harness.store.listDecisions(),
        snapshot: await harness.store.latestSnapshot(),
        commands: await harness.store.listCommands(),
        request: await harness.store.getOperatorRequest(id),
      });
      const before = await read();
      await harness.reopen();
      assert.deepEqual(await read(), before);
      const next = await harness.store.recordDecision(tick(T0 + 3));
      assert.ok(next.seq > seq);
    }));
}
