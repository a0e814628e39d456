import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from '../../src/incidents/report.ts';
import { bucketSizeFor, buildReportSeries } from '../../src/incidents/report-series.ts';
import { T0 } from '../policy/helpers.ts';
import { recordsOf } from './records.ts';
import { policies, story } from './report-story.ts';

const HOUR = 3_600_000;

/** The buckets with a value, as [index, value]: a series of 60 is unreadable in a diff. */
const set = (values: readonly (number | null)[]) =>
  values.flatMap((v, i) => (v === 0 || v === null ? [] : [[i, v]]));

test("the report's figures over time: heals, outcomes, chronic flags and shadow decisions per bucket", () => {
  const records = recordsOf(policies, story());
  const window = { since: T0, until: T0 + HOUR };
  const series = buildReportSeries(records, window);
  assert.equal(series.bucketMs, 60_000);
  assert.equal(series.buckets.length, 60);
  assert.equal(series.buckets[0], T0);
  assert.equal(series.buckets[1], T0 + 60_000);
  // api healed at 0s, 100s, 200s; db's heal at 250s failed.
  assert.deepEqual(
    series.heals.map((h) => [h.service, h.runbook, set(h.attempts)]),
    [
      [
        'api',
        'restart',
        [
          [0, 1],
          [1, 1],
          [3, 1],
        ],
      ],
      ['db', 'restart', [[4, 1]]],
    ],
  );
  assert.deepEqual(set(series.outcomes.succeeded), [
    [0, 1],
    [1, 1],
    [3, 1],
  ]);
  assert.deepEqual(set(series.outcomes.failed), [[4, 1]]);
  assert.equal(series.outcomes.successRate[0], 1);
  assert.equal(series.outcomes.successRate[4], 0, 'a bucket whose heals all failed');
  assert.equal(series.outcomes.successRate[2], null, 'a bucket with no heal has no rate');
  assert.deepEqual(
    series.chronic.map((c) => [c.service, set(c.flags)]),
    [
      [
        'api',
        [
          [4, 1],
          [5, 1],
        ],
      ],
    ],
  );
  // worker, in shadow: would heal at 400s and recovered on its own; at 500s, still open.
  assert.deepEqual(set(series.shadow.wouldHeal), [
    [6, 1],
    [8, 1],
  ]);
  assert.deepEqual(set(series.shadow.recoveredOnItsOwn), [[6, 1]]);
  assert.deepEqual(set(series.shadow.notOnItsOwn), [[8, 1]]);
  assert.deepEqual(set(series.shadow.wouldPage), []);
  // Recovered in 10s, 20s, 40s (api), 20s (db), 45s (worker).
  assert.deepEqual(
    series.recovery.bins.filter((b) => b.count > 0),
    [
      { upToMs: 10_000, count: 1 },
      { upToMs: 30_000, count: 2 },
      { upToMs: 60_000, count: 2 },
    ],
  );
  assert.equal(series.recovery.bins.at(-1)?.upToMs, null, 'the last bin has no bound');
});

test('the series add up to the report of the same incidents', () => {
  const records = recordsOf(policies, story());
  const window = { since: T0, until: T0 + HOUR };
  const series = buildReportSeries(records, window);
  const report = buildReport(records, window);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  for (const row of report.heals) {
    const line = series.heals.find((h) => h.service === row.service && h.runbook === row.runbook);
    assert.equal(sum(line?.attempts ?? []), row.attempts, `${row.service}/${row.runbook}`);
  }
  assert.equal(sum(series.outcomes.succeeded), report.totals.succeeded);
  assert.equal(sum(series.outcomes.failed), report.totals.failed);
  assert.equal(
    sum(series.recovery.bins.map((b) => b.count)),
    report.recovery.all.count,
    'every recovered incident is in one bin',
  );
  assert.equal(sum(series.shadow.wouldHeal) + sum(series.shadow.wouldPage), report.shadow.length);
});

test('what an incident of the window did after it counts in its last bucket; none, zeros', () => {
  // The window ends at 210s: api's third incident opened at 200s and was flagged chronic at
  // 240s, after the window; the report still reads it (it opened inside).
  const until = T0 + 210_000;
  const records = recordsOf(policies, story()).filter((r) => r.incident.openedAt <= until);
  const series = buildReportSeries(records, { since: T0, until });
  assert.equal(series.buckets.length, 4);
  assert.deepEqual(
    series.chronic.map((c) => [c.service, set(c.flags)]),
    [['api', [[3, 1]]]],
  );
  const empty = buildReportSeries([], { since: T0, until: T0 + 1 });
  assert.equal(empty.buckets.length, 1);
  assert.deepEqual(
    [empty.heals, empty.chronic, set(empty.outcomes.successRate), set(empty.shadow.wouldHeal)],
    [[], [], [], []],
  );
});

test('a bucket size keeps any window within 60 buckets', () => {
  assert.equal(bucketSizeFor(HOUR), 60_000);
  assert.equal(bucketSizeFor(24 * HOUR), HOUR);
  assert.equal(bucketSizeFor(7 * 24 * HOUR), 3 * HOUR);
  assert.equal(bucketSizeFor(30 * 24 * HOUR), 24 * HOUR);
  assert.equal(bucketSizeFor(10_000 * 24 * HOUR), 7 * 24 * HOUR, 'the largest, past that');
});
