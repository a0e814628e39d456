import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbeRunContext } from '../../src/signals/probes/probe-run-context.ts';

test('abort calls every listener once, in order, and a listener taken back not at all', () => {
  const ctx = new ProbeRunContext(1000, 100);
  const calls: string[] = [];
  const a = () => calls.push('a');
  const b = () => calls.push('b');
  const c = () => calls.push('c');
  ctx.onAbort(a);
  ctx.onAbort(b);
  ctx.onAbort(c);
  ctx.offAbort(b);
  assert.equal(ctx.aborted, false);
  ctx.abort(new Error('stop'));
  ctx.abort(new Error('again'));
  assert.deepEqual(calls, ['a', 'c']);
  assert.equal(ctx.aborted, true);
  assert.equal((ctx.abortReason as Error).message, 'stop');
  // A listener given after the abort runs at once.
  ctx.onAbort(b);
  assert.deepEqual(calls, ['a', 'c', 'b']);
});

test('the signal follows the abort, whether made before it or after', () => {
  const before = new ProbeRunContext(1000, 100);
  const signal = before.signal;
  assert.equal(signal.aborted, false);
  before.abort(new DOMException('timed out', 'TimeoutError'));
  assert.equal(signal.aborted, true);
  assert.equal((signal.reason as DOMException).name, 'TimeoutError');

  const after = new ProbeRunContext(1000, 100);
  after.abort(new Error('shutdown'));
  assert.equal(after.signal.aborted, true);
  assert.equal((after.signal.reason as Error).message, 'shutdown');
});

test("a context that follows a caller's signal aborts with it, already aborted or later", () => {
  const controller = new AbortController();
  const ctx = new ProbeRunContext(1000, 100, controller.signal);
  let told = 0;
  ctx.onAbort(() => told++);
  assert.equal(ctx.signal, controller.signal);
  controller.abort(new Error('caller'));
  assert.equal(told, 1);
  assert.equal((ctx.abortReason as Error).message, 'caller');

  const gone = new AbortController();
  gone.abort(new Error('before'));
  assert.equal(new ProbeRunContext(1000, 100, gone.signal).aborted, true);
});
