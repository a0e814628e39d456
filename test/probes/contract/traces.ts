import { randomBytes } from 'node:crypto';
import type { ReceivedSpan } from '../../../src/signals/sources/otlp-traces.ts';
import { receivedTraces } from '../../../src/signals/sources/trace-windows.ts';
import type { ProbeFixture, ProbeTarget } from '../contract.ts';

let services = 0;

/** Spans of a service of its own, as the OTLP receiver hands them over, in the last second. */
function serviceWith(count: number, failing: boolean, attribute = ''): Promise<ProbeTarget> {
  const service = `contract-${++services}`;
  const now = Date.now();
  const spans: ReceivedSpan[] = Array.from({ length: count }, () => ({
    service,
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    name: 'GET /',
    kind: 2,
    startMs: now - 100,
    durationMs: 12,
    error: failing,
    statusMessage: failing ? 'refused' : '',
    attributes: (attribute === '' ? {} : { detail: attribute }) as Record<string, string>,
  }));
  receivedTraces.add(spans, now);
  return Promise.resolve({
    spec: { service, windowSeconds: 60, minRequests: 5, maxErrorRatio: 0.1 },
    close: async () => {},
  });
}

export const tracesFixture: ProbeFixture = {
  healthy: () => serviceWith(20, false),
  down: () => serviceWith(20, true),
  // It reads what this process holds: nothing it does can wait.
  hanging: null,
  verbose: (bytes) => serviceWith(20, true, 'x'.repeat(bytes)),
};
