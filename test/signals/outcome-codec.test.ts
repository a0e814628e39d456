import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckDefinition } from '../../src/signals/check-identity.ts';
import type { Observation } from '../../src/signals/observation.ts';
import { OutcomeDecoder, OutcomeEncoder } from '../../src/signals/outcome-codec.ts';
import type { ProbeOutcome } from '../../src/signals/scheduler.ts';

// The codec only reads key and revision of a definition.
const checks = ['a', 'b', 'c'].map(
  (key) => ({ key, revision: `${key}-1` }) as unknown as CheckDefinition,
);

function outcome(key: string, observation: Observation, latenessMs = 0.25): ProbeOutcome {
  return { key, revision: `${key}-1`, observation, latenessMs };
}

function pair(): { encoder: OutcomeEncoder; decoder: OutcomeDecoder } {
  const encoder = new OutcomeEncoder();
  const decoder = new OutcomeDecoder();
  decoder.sent(checks);
  encoder.setChecks(checks);
  return { encoder, decoder };
}

/** As it crosses to the main thread: a structured clone. */
function roundTrip(encoder: OutcomeEncoder, decoder: OutcomeDecoder): ProbeOutcome[] {
  return decoder.decode(structuredClone(encoder.take()));
}

test('plain passes travel as numbers and come back as the same outcomes, output dropped', () => {
  const { encoder, decoder } = pair();
  const pass = outcome('b', {
    ok: true,
    startedAt: 1_764_000_000_123,
    durationMs: 1.234567,
    status: 204,
    phases: { resolveMs: 0.001, connectMs: 0.3, processingMs: 0.5, transferMs: 0.02 },
    output: 'a healthy body nobody keeps',
  });
  const bare = outcome('a', { ok: true, startedAt: 1_764_000_000_124, durationMs: 3 }, 12.5);
  encoder.push(pass);
  encoder.push(bare);
  const batch = encoder.take();
  assert.deepEqual(batch.full, [], 'both went as rows');
  decoder.decode(batch); // the rows, not the objects, carry them
  encoder.push(pass);
  encoder.push(bare);
  const { output: _dropped, ...kept } = pass.observation;
  assert.deepEqual(roundTrip(encoder, decoder), [{ ...pass, observation: kept }, bare]);
});

test('anything but a plain pass goes as the object, in completion order with the rows', () => {
  const { encoder, decoder } = pair();
  const failure = outcome('a', {
    ok: false,
    startedAt: 1,
    durationMs: 2,
    error: 'connection refused',
    output: 'kept: evidence of a failure',
  });
  const warned = outcome('b', {
    ok: true,
    startedAt: 3,
    durationMs: 4,
    status: 301,
    warning: 'redirect to another host not followed',
  });
  const grpc = outcome('c', { ok: true, startedAt: 5, durationMs: 6, status: 'SERVING' });
  const pass = outcome('a', { ok: true, startedAt: 7, durationMs: 8, status: 200 });
  const sent = [pass, failure, pass, warned, grpc, pass];
  for (const one of sent) encoder.push(one);
  const batch = encoder.take();
  assert.equal(batch.full.length, 3);
  assert.deepEqual(decoder.decode(structuredClone(batch)), sent);
});

test('a batch names the checks of its own set, across a reload', () => {
  const { encoder, decoder } = pair();
  encoder.push(outcome('c', { ok: true, startedAt: 1, durationMs: 1 }));
  const before = encoder.take();
  // Reloaded: c is gone, a has a new revision, d is new; the old batch arrives after the reload.
  const reloaded = [
    { key: 'd', revision: 'd-1' },
    { key: 'a', revision: 'a-2' },
  ] as unknown as CheckDefinition[];
  decoder.sent(reloaded);
  encoder.setChecks(reloaded);
  assert.equal(decoder.decode(before)[0]!.key, 'c');
  // A probe of a check that left the set, or of an old revision, finishing after the reload.
  const late = outcome('c', { ok: true, startedAt: 2, durationMs: 1 });
  const oldRevision = outcome('a', { ok: true, startedAt: 3, durationMs: 1 });
  const fresh = { ...outcome('a', { ok: true, startedAt: 4, durationMs: 1 }), revision: 'a-2' };
  const newcomer = { ...outcome('d', { ok: true, startedAt: 5, durationMs: 1 }), revision: 'd-1' };
  for (const one of [late, oldRevision, fresh, newcomer]) encoder.push(one);
  assert.deepEqual(roundTrip(encoder, decoder), [late, oldRevision, fresh, newcomer]);
});

test('a batch larger than the buffer grows it', () => {
  const { encoder, decoder } = pair();
  const sent = Array.from({ length: 700 }, (_, i) =>
    outcome('abc'[i % 3]!, { ok: true, startedAt: i, durationMs: i / 7, status: 200 }, i / 3),
  );
  for (const one of sent) encoder.push(one);
  assert.equal(encoder.size, 700);
  assert.deepEqual(roundTrip(encoder, decoder), sent);
  assert.equal(encoder.size, 0);
});

test('an index the worker was never given is an error that says so', () => {
  const { encoder } = pair();
  encoder.push(outcome('b', { ok: true, startedAt: 1, durationMs: 1 }));
  const batch = encoder.take();
  assert.throws(
    () => new OutcomeDecoder().decode(batch),
    /check 1 of set 1, which it was never given/,
  );
});
