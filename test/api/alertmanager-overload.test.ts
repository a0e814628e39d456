import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import { call, RUNNING_MEND_CONFIG, startRunningMend } from '../helpers/running-mend.ts';
import { startSilentServer } from '../helpers/silent-server.ts';

/**
 * Overload on a real `mend run`: the receiver holds at most one alert in flight (Settings), and
 * the service's Prometheus accepts connections and never answers, so a delivery stays in flight
 * for the 2 s mend gives Prometheus. A delivery arriving meanwhile is told to come back.
 */
test('over the in-flight bound: 503 with Retry-After, nothing of it recorded; the retry is taken', async () => {
  const prometheus = await startSilentServer();
  const mend = await startRunningMend({
    config: (url) =>
      `${RUNNING_MEND_CONFIG(url).replace(
        'spec:\n  checks:',
        `spec:\n  selector: ['job="checkout"']\n  prometheus: ${prometheus.url}\n  checks:`,
      )}---
apiVersion: mend/v1
kind: Settings
metadata: { name: settings }
spec:
  alerts: { maxInFlight: 1 }
`,
  });
  const delivery = (fingerprint: string) => ({
    version: '4',
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'mend',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'HighErrorRate', job: 'checkout' },
        annotations: {},
        startsAt: '2026-12-02T10:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=error_ratio+%3E+0.05&g0.tab=1',
        fingerprint,
      },
    ],
  });
  const post = (fingerprint: string) =>
    call(mend.base, 'POST', '/api/v1/alerts/alertmanager', {
      token: mend.tokens.ingest,
      body: delivery(fingerprint),
    });
  try {
    const first = post('00000000000000f1');
    // While the first waits on Prometheus (its evidence), the second is over the bound.
    await new Promise((r) => setTimeout(r, 500));
    const second = await post('00000000000000f2');
    const answers = [await first, second];
    const refused = answers.filter((a) => a.status === 503);
    const taken = answers.filter((a) => a.status === 200);
    assert.equal(refused.length, 1, answers.map((a) => `${a.status} ${a.body}`).join('\n'));
    assert.equal(taken.length, 1);
    assert.equal(refused[0]?.headers['retry-after'], '1');
    assert.match(refused[0]?.body ?? '', /alerts are being recorded \(at most 1 at once\): retry/);
    const store = await openStore({ path: mend.db });
    try {
      const kept = (await store.listAlerts()).map((a) => a.fingerprint);
      assert.equal(kept.length, 1, 'the refused delivery left nothing behind');
    } finally {
      await store.close();
    }
    // Alertmanager retries; with nothing in flight it is taken, however slow Prometheus is.
    const retried = await post('00000000000000f2');
    assert.equal(retried.status, 200, retried.body);
    const incidents = await call(mend.base, 'GET', '/api/v1/incidents', {
      token: mend.tokens.viewer,
    });
    const [incident] = (incidents.json() as { items: { id: string }[] }).items;
    assert.ok(incident);
    const detail = await call(mend.base, 'GET', `/api/v1/incidents/${incident.id}`, {
      token: mend.tokens.viewer,
    });
    // Prometheus never answered: the evidence says so, the alert still became a signal.
    assert.match(
      detail.body,
      /"query":\{"prometheus":"http:\/\/127\.0\.0\.1:\d+\/","query":"error_ratio > 0\.05"/,
    );
    assert.match(
      detail.body,
      /range: prometheus at http:\/\/127\.0\.0\.1:\d+: .*(timed out|aborted)/i,
    );
  } finally {
    await mend.stop();
    await prometheus.close();
  }
});
