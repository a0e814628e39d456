import type { Observation } from '../../../src/signals/observation.ts';
import { TRUNCATION_MARKER } from '../../../src/signals/observation.ts';
import type { Signal } from '../../../src/signals/signal.ts';
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
