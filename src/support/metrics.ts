import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { BoundHistogram } from './bound-histogram.ts';
import { VERSION } from './version.ts';

/**
 * The figures of the decision state a scrape reads (gauges computed when scraped, not kept up to
 * date on every decision): the composition root says where they come from.
 */
export interface EngineFigures {
  breakersOpen: number;
  openIncidents: number;
  approvalsWaiting: number;
}

/** Seconds, from a millisecond to ten: probes, store writes, API requests. */
const SHORT_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Seconds, from one to a day: how long an incident lasted. */
const RECOVERY_SECONDS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

/**
 * mend's metrics about itself. mend watches itself (scheduler lateness, queue depth, store health)
 * and says so on /metrics and /readyz: a prober that falls behind must be visible.
 *
 * Labels take bounded values only: kinds, results, verdicts and reason codes from mend's own
 * vocabulary, route templates, status codes, and runbook names (bounded by the config, and few).
 * Never an incident id, a check or a service name: a config may hold thousands of services, and
 * what is wrong with one is what `mend incidents` and the API say. docs/metrics.md has the table.
 */
export function createMetrics() {
  const registry = new Registry();
  const make = { registers: [registry] };
  let engine: (() => EngineFigures) | undefined;
  /** A gauge set from the decision state at each scrape (0 where there is none: `mend check`). */
  const figure = (name: string, help: string, of: keyof EngineFigures) =>
    new Gauge({
      ...make,
      name,
      help,
      collect() {
        this.set(engine?.()[of] ?? 0);
      },
    });
  const buildInfo = new Gauge({
    ...make,
    name: 'mend_build_info',
    help: 'Always 1; its version label is the running mend version.',
    labelNames: ['version'] as const,
  });
  buildInfo.set({ version: VERSION }, 1);
  return {
    registry,
    /** Where the decision-state gauges read from, once the decision loop is open. */
    readEngine(read: () => EngineFigures): void {
      engine = read;
    },
    buildInfo,
    probeLateness: new BoundHistogram({
      ...make,
      name: 'mend_probe_lateness_seconds',
      help: 'How late probes started against their scheduled slot.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }).labels({}),
    probeDuration: new BoundHistogram({
      ...make,
      name: 'mend_probe_duration_seconds',
      help: 'How long probes took, start to result, by probe kind (http, tcp, exec, grpc, prometheus).',
      labelNames: ['kind'] as const,
      buckets: SHORT_SECONDS,
    }),
    probes: new Counter({
      ...make,
      name: 'mend_probes_total',
      help:
        'Probes run, by probe kind and result: ok, failed, or discarded (counted neither way: ' +
        'an HTTP body that stalled after a passing status, as kubelet throws such a result away).',
      labelNames: ['kind', 'result'] as const,
    }),
    sourceErrors: new Counter({
      ...make,
      name: 'mend_source_errors_total',
      help:
        'Probe runs whose source (the Prometheus a `prometheus` check asks) was down, slow or ' +
        'refused the query, and Kubernetes watch requests refused, lost or cut (source ' +
        'kubernetes, check SERVICE/watch), by source and check: counted against the monitoring, ' +
        'not the service.',
      labelNames: ['source', 'check'] as const,
    }),
    received: new Counter({
      ...make,
      name: 'mend_received_total',
      help:
        'Alerts (Alertmanager), events (CloudEvents) and spans (OTLP) acknowledged to their sender, ' +
        'by kind and outcome: kept (recorded; for a span, counted in its window), stale (an alert or ' +
        'event older than what the store holds), ignored (a span that is not a server span, or ' +
        'outside the window), dropped (a span of a service past the number of services kept).',
      labelNames: ['kind', 'outcome'] as const,
    }),
    signals: new Counter({
      ...make,
      name: 'mend_signals_total',
      help: 'Signals (check transitions) emitted, by source and status.',
      labelNames: ['source', 'status'] as const,
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
    decisions: new Counter({
      ...make,
      name: 'mend_decisions_total',
      help:
        'Decisions about incidents, by verdict (heal, page, hold, wait, ...) and reason code ' +
        '(the guardrail or rule that decided: breaker-open, cooldown, pending, ...).',
      labelNames: ['verdict', 'reason'] as const,
    }),
    heals: new Counter({
      ...make,
      name: 'mend_heals_total',
      help: 'Heals (runbook runs for an incident) ended, by runbook and result: succeeded, failed, unknown.',
      labelNames: ['runbook', 'result'] as const,
    }),
    timeToRecover: new Histogram({
      ...make,
      name: 'mend_time_to_recover_seconds',
      help:
        'Incidents closed: from the incident opening to every signal resolved, by how: ' +
        'recovered-after-heal or resolved (without a heal).',
      labelNames: ['how'] as const,
      buckets: RECOVERY_SECONDS,
    }),
    breakersOpen: figure(
      'mend_breakers_open',
      'Circuit breakers open now: heals of that runbook on that service stopped, a human paged.',
      'breakersOpen',
    ),
    openIncidents: figure('mend_incidents_open', 'Incidents open now.', 'openIncidents'),
    approvalsWaiting: figure(
      'mend_approvals_waiting',
      'Heals waiting for an approval now (mend approve / deny).',
      'approvalsWaiting',
    ),
    deliveries: new Counter({
      ...make,
      name: 'mend_notifier_deliveries_total',
      help:
        'Notifications delivered or failed (after retries), by notifier kind, event ' +
        '(page, resolve, approval) and result: delivered or failed.',
      labelNames: ['kind', 'event', 'result'] as const,
    }),
    httpRequests: new Counter({
      ...make,
      name: 'mend_http_requests_total',
      help: 'HTTP requests answered, by method, route template (unmatched: no route) and status code.',
      labelNames: ['method', 'route', 'status'] as const,
    }),
    httpDuration: new Histogram({
      ...make,
      name: 'mend_http_request_duration_seconds',
      help:
        'HTTP requests, from arrival to the response sent, by method and route template (a ' +
        'stream lasts as long as its client stays).',
      labelNames: ['method', 'route'] as const,
      buckets: SHORT_SECONDS,
    }),
    storeWrites: new Histogram({
      ...make,
      name: 'mend_store_write_duration_seconds',
      help: 'Store writes, from call to answer (failures too), by operation.',
      labelNames: ['operation'] as const,
      buckets: [0.0005, ...SHORT_SECONDS],
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
    fencedWrites: new Counter({
      ...make,
      name: 'mend_replica_fenced_writes_total',
      help: 'Decision, command and journal writes the store refused because another replica took the leader lease since (docs/replicas.md).',
    }),
    replicaLeader: new Gauge({
      ...make,
      name: 'mend_replica_leader_epoch',
      help: 'The leader epoch this replica decides under; 0 while it follows (or runs alone, without replicas).',
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The process's own metrics, as every Prometheus client library exports them (process_cpu_seconds_total,
 * process_resident_memory_bytes, process_open_fds, ...) and Node's (event loop lag, heap, GC), for
 * `mend run`. Without prom-client's three gauges named `_total` (nodejs_active_handles_total, ...),
 * which break the naming convention (promtool check metrics says so): the same figures are there
 * without the suffix.
 */
export function collectProcessMetrics(metrics: Metrics): void {
  collectDefaultMetrics({ register: metrics.registry });
  for (const name of PROCESS_GAUGES_NAMED_TOTAL) metrics.registry.removeSingleMetric(name);
}

const PROCESS_GAUGES_NAMED_TOTAL = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];
