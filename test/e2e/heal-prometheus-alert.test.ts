import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  freePort,
  type MonitoringProgram,
  startAlertmanager,
  startPrometheus,
  until,
} from '../helpers/monitoring-programs.ts';
import { call, type RunningMend, startRunningMend } from '../helpers/running-mend.ts';

/**
 * The whole chain with the real programs (Debian's prometheus and prometheus-alertmanager): a
 * service's error rate rises; Prometheus scrapes it and its alerting rule fires; Alertmanager
 * posts to mend with an ingest token; mend's policy restarts the service (exec); the verify step
 * watches the rate fall through a `prometheus` check; the alert resolves; the incident closes.
 * Every wait is on a condition, generously: the machine is shared and has two cores.
 */
const SERVICE = join(import.meta.dirname, 'error-rate');
const RATIO =
  'rate(demo_errors_total{job="demo"}[15s]) / rate(demo_requests_total{job="demo"}[15s])';

test('an alert from Prometheus via Alertmanager heals the service; the incident holds the whole chain', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-e2e-prometheus-'));
  const servicePort = await freePort();
  const alertmanagerPort = await freePort();
  const started: { stop(): Promise<void>; output?: () => string }[] = [];
  t.after(async () => {
    for (const program of started.reverse()) await program.stop().catch(() => {});
    const pid = await readFile(join(dir, 'service.pid'), 'utf8').catch(() => '');
    if (pid !== '') {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  const restart = [join(SERVICE, 'restart.ts'), dir, String(servicePort)];
  const first = spawnSync(process.execPath, restart, { encoding: 'utf8' });
  assert.equal(first.status, 0, first.stderr);
  const pidBefore = await readFile(join(dir, 'service.pid'), 'utf8');

  const prometheus: MonitoringProgram = await startPrometheus(
    `
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [RULES_FILE]
alerting:
  alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:${alertmanagerPort}'] }] }]
scrape_configs:
  - job_name: demo
    static_configs: [{ targets: ['127.0.0.1:${servicePort}'] }]
`,
    `
groups:
  - name: demo
    interval: 1s
    rules:
      - alert: DemoHighErrorRate
        expr: ${RATIO} > 0.5
        labels: { severity: page }
        annotations: { summary: more than half of the requests fail }
`,
  );
  started.push(prometheus);

  const mend: RunningMend = await startRunningMend({
    config: () => `apiVersion: mend/v1
kind: Service
metadata: { name: demo, labels: { team: shop } }
spec:
  selector: ['job="demo"']
  prometheus: ${prometheus.url}
  checks:
    - name: errors
      periodSeconds: 1
      timeoutSeconds: 5
      failureThreshold: 3
      prometheus:
        url: ${prometheus.url}
        query: '${RATIO}'
        failWhen: '> 0.5'
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart-on-error-rate }
spec:
  match: { sources: [alertmanager], matchers: ['alertname="DemoHighErrorRate"'] }
  heal: { runbook: restart }
---
apiVersion: mend/v1
kind: Runbook
metadata: { name: restart }
spec:
  steps:
    - name: restart
      exec: { command: ${JSON.stringify([process.execPath, ...restart])} }
    - name: verify
      timeout: 3m
      verify: { successThreshold: 3 }
`,
  });
  started.push(mend);

  const tokenFile = join(dir, 'mend-ingest.token');
  await writeFile(tokenFile, mend.tokens.ingest);
  started.push(
    await startAlertmanager(
      `
route:
  receiver: mend
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: mend
    webhook_configs:
      - url: ${mend.base}/api/v1/alerts/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials_file: ${tokenFile}
`,
      alertmanagerPort,
    ),
  );
  // The alert rule only means something once there are samples to take a rate of.
  await until('Prometheus has a rate of the service', async () => {
    const answer = await fetch(
      `${prometheus.url}/api/v1/query?query=${encodeURIComponent(RATIO)}`,
    ).then((r) => r.json() as Promise<{ data: { result: unknown[] } }>);
    return answer.data.result.length > 0 ? true : undefined;
  });

  const brokenAt = Date.now();
  await fetch(`http://127.0.0.1:${servicePort}/break`, { method: 'POST' });

  const viewer = mend.tokens.viewer;
  const incident = await waitOrTell(mend, started, () =>
    until(
      'an incident opened by the alert closes',
      async () => {
        const list = await call(mend.base, 'GET', '/api/v1/incidents?limit=50', { token: viewer });
        const items = (list.json() as { items: { id: string; status: string }[] }).items;
        const closed = items.find((i) => i.status === 'resolved');
        if (closed === undefined) return undefined;
        const body = (
          await call(mend.base, 'GET', `/api/v1/incidents/${closed.id}`, { token: viewer })
        ).body;
        // The alert can resolve before the verify step has seen enough passes in a row.
        const { timeline } = JSON.parse(body) as { timeline: { what: string }[] };
        return timeline.some((e) => e.what.startsWith('outcome ')) ? body : undefined;
      },
      240_000,
    ),
  );
  const closedIn = Date.now() - brokenAt;
  const detail = JSON.parse(incident) as {
    service: string;
    timeline: { what: string; detail: string }[];
  };
  const story = detail.timeline.map((e) => `${e.what}: ${e.detail}`);
  const has = (pattern: RegExp, what: string) =>
    assert.ok(
      story.some((line) => pattern.test(line)),
      `${what}:\n${story.join('\n')}`,
    );
  assert.equal(detail.service, 'demo');
  has(
    /^signal firing: .*alert DemoHighErrorRate firing: more than half of the requests fail/,
    'the alert',
  );
  has(/^matched: policy restart-on-error-rate decides/, 'the policy');
  has(/^decision heal: healing demo with restart/, 'the decision');
  has(/^step: .*#0 restart: .*restart\.ts .*: ok \(exit 0/, 'the restart step');
  has(/^step: .*#1 verify: verify: ok/, 'the verification');
  has(/^outcome succeeded/, 'the outcome');
  has(/^signal resolved: .*alert DemoHighErrorRate resolved/, 'the alert resolved');
  has(/^resolved/, 'the resolution');

  // The alert's evidence: its expression's curve from the service's Prometheus, up past 0.5.
  const curves = findQueries(JSON.parse(incident)).filter((q) =>
    q.query.includes('demo_errors_total'),
  );
  const points = curves.flatMap((q) => q.range?.series.flatMap((s) => s.points) ?? []);
  assert.ok(points.length > 0, `a curve in the evidence: ${JSON.stringify(curves).slice(0, 2000)}`);
  assert.ok(
    points.some(([, value]) => value > 0.5),
    'the curve shows the rise',
  );

  const pidAfter = await readFile(join(dir, 'service.pid'), 'utf8');
  assert.notEqual(pidAfter, pidBefore, 'the service process was restarted');
  t.diagnostic(`broken to incident closed: ${closedIn} ms`);
});

interface FoundQuery {
  query: string;
  range?: { series: { points: [number, number][] }[] };
}

function findQueries(value: unknown, found: FoundQuery[] = []): FoundQuery[] {
  if (Array.isArray(value)) for (const item of value) findQueries(item, found);
  else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const query = record.query as FoundQuery | undefined;
    if (typeof query === 'object' && query !== null && typeof query.query === 'string') {
      found.push(query);
    }
    for (const item of Object.values(record)) findQueries(item, found);
  }
  return found;
}

/** On a timeout, say what each part did: mend's log, the incidents, the programs' output. */
async function waitOrTell<T>(
  mend: RunningMend,
  programs: readonly { output?: () => string }[],
  wait: () => Promise<T>,
): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    const list = await call(mend.base, 'GET', '/api/v1/incidents?limit=50', {
      token: mend.tokens.viewer,
    }).catch((e: unknown) => ({ body: String(e) }));
    const outputs = programs.map((p) => p.output?.().slice(-3000) ?? '').join('\n---\n');
    throw new Error(
      `${String(err)}\nincidents: ${list.body.slice(0, 3000)}\nmend:\n${mend.mend.stdout.slice(-6000)}\nprograms:\n${outputs}`,
    );
  }
}
