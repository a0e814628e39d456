import assert from 'node:assert/strict';
import type { Observation } from '../../../src/signals/observation.ts';
import { TRUNCATION_MARKER } from '../../../src/signals/observation.ts';
import type { Signal } from '../../../src/signals/signal.ts';
import type { DecisionRecord, OpenedIncident, Store } from '../../../src/store/store.ts';
import type { MakeStore, StoreHarness } from '../contract.ts';

/** Runs a test body on a fresh store and always cleans up, whatever the body did. */
export async function withStore(
  makeStore: MakeStore,
  body: (harness: StoreHarness) => Promise<void>,
): Promise<void> {
  const harness = await makeStore();
  try {
    await body(harness);
  } finally {
    await harness.cleanup();
  }
}

/** 2026-11-24T12:00:00.123Z: a realistic epoch ms with a millisecond part. */
export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0, 123);

export function failedObservation(startedAt: number, overrides: Partial<Observation> = {}) {
  return {
    ok: false,
    startedAt,
    durationMs: 3000,
    error: 'connect ECONNREFUSED 127.0.0.1:8080',
    ...overrides,
  } satisfies Observation;
}

/** An observation using every field the type has, with text that breaks naive quoting. */
export function richObservation(startedAt: number): Observation {
  return {
    ok: false,
    startedAt,
    durationMs: 812.375,
    error: 'HTTP 503 "Service Unavailable" from https://api.example/health',
    status: 503,
    output: `{"status":"DOWN","detail":"db: connection refused; ünïcödé ✓\\n'quoted'"}\n${TRUNCATION_MARKER}`,
    phases: { resolveMs: 1.5, connectMs: 2, tlsMs: 10.25, processingMs: 790, transferMs: 8.625 },
    tls: { version: 'TLSv1.3', certNotAfter: T0 + 86_400_000 * 30, certDaysLeft: 30 },
    dependencies: [
      { name: 'db', health: 'fail', reported: 'DOWN', detail: 'connection refused' },
      { name: 'redis:connections', health: 'pass', reported: 'UP' },
    ],
  };
}

export function signal(overrides: Partial<Signal> = {}): Signal {
  return {
    fingerprint: 'a1b2c3d4e5f60718',
    source: 'probe',
    service: 'api',
    check: 'health',
    labels: { service: 'api', check: 'health', source: 'probe' },
    status: 'firing',
    startsAt: T0 - 20_000,
    at: T0,
    summary: '3 consecutive failures: connect ECONNREFUSED 127.0.0.1:8080',
    evidence: [failedObservation(T0 - 20_000), failedObservation(T0 - 10_000)],
    ...overrides,
  };
}

/*
 * The store is written the way the decision loop writes it, through recordDecision: these build
 * the records an engine step would, with an empty decision.
 */

function step(at: number, rest: Partial<DecisionRecord> = {}): DecisionRecord {
  const input = { kind: 'tick', at };
  return {
    at,
    input,
    decision: { commands: [], events: [], reasons: [] },
    configRevision: 'rev-1',
    ...rest,
  };
}

/**
 * Records a signal as a signal input carries it; returns the signal's id. The step's own time is
 * fixed, so that whatever the store refuses is the signal's.
 */
export async function recordSignal(store: Store, recorded: Signal): Promise<number> {
  const input = { kind: 'signal', at: T0 };
  const { seq } = await store.recordDecision(step(T0, { input, signal: recorded }));
  const [decision] = await store.listDecisions({ afterSeq: seq - 1, limit: 1 });
  assert.equal(decision?.seq, seq);
  return decision?.signalId ?? Number.NaN;
}

export function opened(overrides: Partial<OpenedIncident> = {}): OpenedIncident {
  return {
    incidentId: 'inc-1',
    service: 'api',
    title: 'api/health failing: connect ECONNREFUSED',
    openedAt: T0,
    ...overrides,
  };
}

/** An engine step that opened an incident. */
export async function openIncident(store: Store, incident: OpenedIncident = opened()) {
  await store.recordDecision(step(incident.openedAt, { incidents: { opened: [incident] } }));
}

/** An engine step that resolved an incident. */
export async function resolveIncident(
  store: Store,
  incidentId: string,
  at: number,
  reason: string,
) {
  await store.recordDecision(step(at, { incidents: { resolved: [{ incidentId, at, reason }] } }));
}
