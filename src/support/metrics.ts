import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * mend's metrics about itself. mend watches itself (scheduler lateness, queue depth, store health)
 * and says so on /metrics and /readyz: a prober that falls behind must be visible.
 */
export function createMetrics() {
  const registry = new Registry();
  const make = { registers: [registry] };
  return {
    registry,
    probeLateness: new Histogram({
      ...make,
      name: 'mend_probe_lateness_seconds',
      help: 'How late probes started against their scheduled slot.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    probes: new Counter({
      ...make,
      name: 'mend_probes_total',
      help:
        'Probes run, by result: ok, failed, or discarded (counted neither way: an HTTP body that ' +
        'stalled after a passing status, as kubelet throws such a result away).',
      labelNames: ['result'] as const,
    }),
    signals: new Counter({
      ...make,
      name: 'mend_signals_total',
      help: 'Signals (check transitions) emitted, by status.',
      labelNames: ['status'] as const,
    }),
    checks: new Gauge({
      ...make,
      name: 'mend_checks',
      help: 'Checks by state.',
      labelNames: ['state'] as const,
    }),
    inFlight: new Gauge({ ...make, name: 'mend_probes_in_flight', help: 'Probes running now.' }),
    waiting: new Gauge({
      ...make,
      name: 'mend_probes_waiting',
      help: 'Due probes waiting for a free in-flight slot.',
    }),
    skipped: new Gauge({
      ...make,
      name: 'mend_probe_slots_skipped',
      help: 'Slots skipped since start: a check still running at its next slot, or a period missed.',
      labelNames: ['reason'] as const,
    }),
    storeUp: new Gauge({
      ...make,
      name: 'mend_store_up',
      help: '1 when the last store health check passed.',
    }),
    configReloads: new Counter({
      ...make,
      name: 'mend_config_reloads_total',
      help: 'Config reloads, by result.',
      labelNames: ['result'] as const,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
