import type { AlertRecord } from '../../src/signals/sources/alert-record.ts';

/** Alerts no Service selects: the receiver records each (one upsert per fingerprint). */
const LABELS = (n: number) => ({
  alertname: 'BenchHighErrorRate',
  job: 'bench',
  instance: `10.0.${(n >> 8) & 255}.${n & 255}:9100`,
  severity: 'page',
});

let next = 0;
/** A fingerprint never sent before in this run: every alert is a new row, never stale. */
export function fingerprint(): string {
  return (++next).toString(16).padStart(16, '0');
}

/** An Alertmanager webhook payload, version 4, as Alertmanager 0.25 posts it. */
export function payload(alerts: number): string {
  const list = [];
  for (let i = 0; i < alerts; i++) {
    const id = fingerprint();
    list.push({
      status: 'firing',
      labels: LABELS(Number.parseInt(id, 16)),
      annotations: { summary: 'error rate above 5%' },
      startsAt: '2026-12-02T10:00:00.000Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=rate&g0.tab=1',
      fingerprint: id,
    });
  }
  return JSON.stringify({
    receiver: 'mend',
    status: 'firing',
    alerts: list,
    groupLabels: { alertname: 'BenchHighErrorRate' },
    commonLabels: { alertname: 'BenchHighErrorRate', job: 'bench' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: '{}:{alertname="BenchHighErrorRate"}',
    truncatedAlerts: 0,
  });
}

/** The same alerts as the store keeps them: what the raw insert rate is measured with. */
export function records(alerts: number, receivedAt: number): AlertRecord[] {
  const out: AlertRecord[] = [];
  for (let i = 0; i < alerts; i++) {
    const id = fingerprint();
    out.push({
      fingerprint: id,
      source: 'alertmanager',
      status: 'firing',
      labels: LABELS(Number.parseInt(id, 16)),
      annotations: { summary: 'error rate above 5%' },
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=rate&g0.tab=1',
      receiver: 'mend',
      startsAt: Date.parse('2026-12-02T10:00:00.000Z'),
      receivedAt,
    });
  }
  return out;
}
