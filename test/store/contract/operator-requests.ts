import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NewOperatorRequest } from '../../../src/store/store.ts';
import type { MakeStore } from '../contract.ts';
import { approval, countRows, tick } from './decision-fixtures.ts';
import { T0, withStore } from './fixtures.ts';

const reset = (service: string, runbook?: string): NewOperatorRequest => ({
  at: T0 + 1,
  actor: 'token:ops-bob',
  kind: 'breakerReset',
  payload: runbook === undefined ? { service } : { service, runbook },
});

export function operatorRequestContract(makeStore: MakeStore): void {
  test('a request waits as pending, oldest first, and is audited as it is accepted', () =>
    withStore(makeStore, async ({ store }) => {
      const a = await store.addOperatorRequest(approval('inc-3:approval:1', 'deny'));
      const b = await store.addOperatorRequest(reset('api', 'restart-api'));
      const c = await store.addOperatorRequest(reset('db'));
      assert.deepEqual(await store.pendingOperatorRequests(), [
        { ...approval('inc-3:approval:1', 'deny'), id: a.id, status: 'pending' },
        { ...reset('api', 'restart-api'), id: b.id, status: 'pending' },
        { ...reset('db'), id: c.id, status: 'pending' },
      ]);
      const [pending] = await store.pendingOperatorRequests();
      for (const absent of ['settledAt', 'inputSeq', 'detail']) {
        assert.equal(pending !== undefined && absent in pending, false, absent);
      }
      assert.deepEqual(
        (await store.listAudit()).map(
          ({ id: _, seq: _s, hash: _h, prevHash: _p, ...entry }) => entry,
        ),
        [
          {
            at: T0,
            actor: 'cli:alice',
            action: 'approval.deny',
            target: 'approval/inc-3:approval:1',
            params: { requestId: a.id, approvalId: 'inc-3:approval:1', verdict: 'deny' },
            result: 'accepted',
          },
          {
            at: T0 + 1,
            actor: 'token:ops-bob',
            action: 'breaker.reset',
            target: 'breaker/api/restart-api',
            params: { requestId: b.id, service: 'api', runbook: 'restart-api' },
            result: 'accepted',
          },
          {
            at: T0 + 1,
            actor: 'token:ops-bob',
            action: 'breaker.reset',
            target: 'breaker/db',
            params: { requestId: c.id, service: 'db' },
            result: 'accepted',
          },
        ],
      );
    }));

  test('applied by the decision that took it: settled with its seq, no longer pending', () =>
    withStore(makeStore, async ({ store }) => {
      const { id } = await store.addOperatorRequest(approval());
      const other = await store.addOperatorRequest(reset('api'));
      const { seq } = await store.recordDecision({ ...tick(T0 + 50), operatorRequestId: id });
      assert.deepEqual(await store.getOperatorRequest(id), {
        ...approval(),
        id,
        status: 'applied',
        settledAt: T0 + 50,
        inputSeq: seq,
      });
      assert.deepEqual(
        (await store.pendingOperatorRequests()).map((r) => r.id),
        [other.id],
      );
      // Applying it twice would give the engine the same approval twice.
      await assert.rejects(
        store.recordDecision({ ...tick(T0 + 60), operatorRequestId: id }),
        (error) => error instanceof RangeError && /applied/.test(error.message),
      );
      await assert.rejects(store.recordDecision({ ...tick(T0 + 60), operatorRequestId: 4242 }));
      await assert.rejects(
        store.rejectOperatorRequest(id, { at: T0 + 70, detail: 'too late' }),
        RangeError,
      );
      assert.deepEqual(
        (await store.listDecisions()).map((d) => d.seq),
        [seq],
      );
      assert.equal((await store.getOperatorRequest(id))?.status, 'applied');
    }));

  test('rejected with the reason its sender will read; rejecting again changes nothing', () =>
    withStore(makeStore, async ({ store }) => {
      const { id } = await store.addOperatorRequest(approval());
      const detail = 'no pending approval inc-3:approval:1';
      await store.rejectOperatorRequest(id, { at: T0 + 5, detail });
      const rejected = { ...approval(), id, status: 'rejected', settledAt: T0 + 5, detail };
      assert.deepEqual(await store.getOperatorRequest(id), rejected);
      assert.deepEqual(await store.pendingOperatorRequests(), []);
      await store.rejectOperatorRequest(id, { at: T0 + 9, detail: 'again' });
      assert.deepEqual(await store.getOperatorRequest(id), rejected);
      await assert.rejects(
        store.recordDecision({ ...tick(T0 + 10), operatorRequestId: id }),
        /rejected/,
      );
      assert.deepEqual(await store.listDecisions(), []);
      await assert.rejects(store.rejectOperatorRequest(4242, { at: T0, detail: 'x' }), RangeError);
      await assert.rejects(store.rejectOperatorRequest(id, { at: T0, detail: '' }), TypeError);
      assert.equal(await store.getOperatorRequest(4242), undefined);
    }));

  test('a request is applied or rejected, never both, when the two race', () =>
    withStore(makeStore, async ({ store }) => {
      const { id } = await store.addOperatorRequest(approval());
      const results = await Promise.allSettled([
        store.recordDecision({ ...tick(T0 + 1), operatorRequestId: id }),
        store.rejectOperatorRequest(id, { at: T0 + 1, detail: 'expired' }),
      ]);
      const [applied, rejected] = results.map((r) => r.status === 'fulfilled');
      assert.notEqual(applied, rejected);
      const settled = await store.getOperatorRequest(id);
      assert.equal(settled?.status, applied ? 'applied' : 'rejected');
      assert.equal((await store.listDecisions()).length, applied ? 1 : 0);
    }));

  test('a malformed request is refused: neither queued nor audited', () =>
    withStore(makeStore, async (harness) => {
      const { store } = harness;
      const malformed = [
        { ...approval(), at: T0 + 0.5 },
        { ...approval(), actor: '' },
        approval(''),
        { ...approval(), payload: { approvalId: 'a', verdict: 'maybe' } },
        reset(''),
        reset('api', ''),
        { ...reset('api'), payload: {} },
        { ...reset('api'), kind: 'selfDestruct' },
      ] as NewOperatorRequest[];
      for (const request of malformed) {
        await assert.rejects(store.addOperatorRequest(request), TypeError, JSON.stringify(request));
      }
      assert.deepEqual(await store.pendingOperatorRequests(), []);
      assert.equal(await countRows(harness, 'operator_requests'), 0);
      assert.deepEqual(await store.listAudit(), []);
    }));
}
