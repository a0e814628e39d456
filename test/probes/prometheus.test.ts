import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { prometheusProbe, prometheusProbeSpec } from '../../src/signals/probes/prometheus.ts';
import { queryEvidence } from '../../src/signals/prometheus/query-evidence.ts';
import {
  type MetricTarget,
  type MonitoringProgram,
  startMetricTarget,
  startPrometheus,
  until,
} from '../helpers/monitoring-programs.ts';
import { close, closedPort, listen, probeContext, runProbe } from './helpers.ts';

/** A real Prometheus (Debian's) scraping a target whose gauges the test sets. */
let prometheus: MonitoringProgram;
let target: MetricTarget;

before(async () => {
  target = await startMetricTarget();
  target.set('demo_error_ratio', { shard: 'a' }, 0.9);
  target.set('demo_error_ratio', { shard: 'b' }, 0.01);
  prometheus = await startPrometheus(`
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: demo
    static_configs: [{ targets: ['${target.address}'] }]
`);
  await until('the target is scraped', async () => {
    const result = await probe({ query: 'demo_error_ratio' });
    return result.series?.length === 2 ? result : undefined;
  });
});
after(async () => {
  await prometheus?.stop();
  await target?.close();
});

function probe(spec: Record<string, unknown>, timeoutMs = 5000) {
  const parsed = prometheusProbeSpec.parse({ url: prometheus.url, ...spec });
  return runProbe(prometheusProbe.prepare(parsed), probeContext(timeoutMs));
}

test('prometheus: nonEmpty fails every series returned, each with its labels', async () => {
  const result = await probe({ query: 'demo_error_ratio > 0.5' });
  assert.equal(result.ok, false);
  assert.equal(result.series?.length, 1);
  assert.equal(result.series?.[0]?.labels.shard, 'a');
  assert.equal(result.series?.[0]?.ok, false);
  assert.match(
    result.error ?? '',
    /\{__name__="demo_error_ratio",instance="[^"]+",job="demo",shard="a"\} 0\.9/,
  );
  const none = await probe({ query: 'demo_error_ratio > 5' });
  assert.deepEqual([none.ok, none.series, none.status], [true, [], 0]);
});

test('prometheus: a comparison judges each sample; the passing series are returned too', async () => {
  const result = await probe({ query: 'demo_error_ratio', failWhen: '> 0.05' });
  assert.equal(result.ok, false);
  const verdicts = result.series?.map((s) => [s.labels.shard, s.value, s.ok]);
  assert.deepEqual(verdicts, [
    ['a', 0.9, false],
    ['b', 0.01, true],
  ]);
  assert.equal((await probe({ query: 'demo_error_ratio', failWhen: '>= 1' })).ok, true);
  const capped = await probe({ query: 'demo_error_ratio', failWhen: '< 1', maxSeries: 1 });
  assert.equal(capped.series?.length, 1);
  assert.match(capped.output ?? '', /1 series over maxSeries left out/);
});

test('prometheus: a scalar is one series without labels', async () => {
  const result = await probe({ query: 'scalar(sum(demo_error_ratio))', failWhen: '> 0.5' });
  assert.deepEqual(
    result.series?.map((s) => [s.labels, s.ok]),
    [[{}, false]],
  );
});

test('prometheus down, refusing the query or too slow: a source failure, discarded, never a failure of the service', async () => {
  const port = await closedPort();
  const down = await runProbe(
    prometheusProbe.prepare(
      prometheusProbeSpec.parse({ url: `http://127.0.0.1:${port}`, query: 'up' }),
    ),
  );
  assert.deepEqual([down.discarded, down.sourceDown], [true, 'prometheus']);
  assert.match(
    down.error ?? '',
    new RegExp(`^source down: prometheus at http://127.0.0.1:${port}: .*ECONNREFUSED`),
  );

  const badQuery = await probe({ query: 'sum(' });
  assert.deepEqual([badQuery.discarded, badQuery.sourceDown], [true, 'prometheus']);
  assert.match(badQuery.error ?? '', /bad_data/);

  const range = await probe({ query: 'demo_error_ratio[1m]' });
  assert.equal(range.discarded, true);
  assert.match(range.error ?? '', /gives a matrix, expected an instant vector/);

  // Accepts the connection and never answers: the check's timeout cuts it, still the source's.
  const silent = createServer(() => {});
  const silentPort = await listen(silent);
  try {
    const slow = await runProbe(
      prometheusProbe.prepare(
        prometheusProbeSpec.parse({ url: `http://127.0.0.1:${silentPort}`, query: 'up' }),
      ),
      probeContext(300),
    );
    assert.deepEqual([slow.discarded, slow.sourceDown], [true, 'prometheus']);
    assert.match(slow.error ?? '', /^source down: timed out after 300 ms querying/);
  } finally {
    silent.closeAllConnections();
    await close(silent);
  }
});

test('prometheus: a bad failWhen is refused at load, saying what is expected', () => {
  const parsed = prometheusProbeSpec.safeParse({
    url: prometheus.url,
    query: 'up',
    failWhen: 'big',
  });
  assert.equal(parsed.success, false);
  assert.match(JSON.stringify(parsed.error?.issues), /expected nonEmpty or a comparison such as/);
});

test('query evidence: the last 15 minutes of one series, and its value now, bounded', async () => {
  const at = Date.now();
  const evidence = await queryEvidence({
    prometheus: prometheus.url,
    query: 'demo_error_ratio',
    at,
    series: { __name__: 'demo_error_ratio', instance: target.address, job: 'demo', shard: 'a' },
    instant: true,
    timeoutMs: 5000,
  });
  assert.equal(evidence.error, undefined);
  assert.equal(evidence.range?.endAt, at);
  assert.equal(evidence.range?.startAt, at - 15 * 60 * 1000);
  assert.equal(evidence.range?.series.length, 1);
  const points = evidence.range?.series[0]?.points ?? [];
  assert.ok(points.length >= 1 && points.length <= 61, `${points.length} points`);
  assert.ok(points.every(([, value]) => value === 0.9));
  assert.deepEqual(
    evidence.value?.map((v) => v.value),
    [0.9],
  );
  assert.equal(evidence.omittedSeries, 1);

  const port = await closedPort();
  const down = await queryEvidence({
    prometheus: `http://127.0.0.1:${port}`,
    query: 'up',
    at,
    timeoutMs: 1000,
  });
  assert.match(down.error ?? '', /^range: prometheus at .*ECONNREFUSED/);
  assert.equal(down.range, undefined);
});
