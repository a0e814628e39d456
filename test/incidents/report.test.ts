import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from '../../src/incidents/report.ts';
import { durationStats } from '../../src/incidents/stats.ts';
import { T0 } from '../policy/helpers.ts';
import { recordsOf } from './records.ts';
import { policies, story } from './report-story.ts';

test('median by the middle two, p90 by nearest rank', () => {
  assert.deepEqual(durationStats([]), { count: 0, medianMs: null, p90Ms: null });
  assert.deepEqual(durationStats([5]), { count: 1, medianMs: 5, p90Ms: 5 });
  assert.deepEqual(durationStats([40, 10, 20, 30]), { count: 4, medianMs: 25, p90Ms: 40 });
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual(durationStats(hundred), { count: 100, medianMs: 50.5, p90Ms: 90 });
});

test('the report: heals and success per service and runbook, recovery, chronic, pages, shadow', () => {
  const records = recordsOf(policies, story());
  const report = buildReport(records, { since: T0, until: T0 + 3_600_000 });
  assert.deepEqual(report.incidents, {
    total: 7,
    open: 2,
    healed: 3,
    'resolved-after-failed-heals': 1,
    'resolved-without-heal': 1,
  });
  assert.deepEqual(
    report.heals.map((h) => [
      h.service,
      h.runbook,
      h.attempts,
      h.succeeded,
      h.failed,
      h.successRate,
    ]),
    [
      ['api', 'restart', 3, 3, 0, 1],
      ['db', 'restart', 1, 0, 1, 0],
    ],
  );
  assert.equal(report.totals.attempts, 4);
  assert.equal(report.totals.successRate, 0.75);
  // api: 10s, 20s, 40s to verified healthy; db: 20s to resolved; worker: 45s.
  assert.deepEqual(
    report.recovery.byService.map((s) => [s.service, s.count, s.medianMs, s.p90Ms]),
    [
      ['api', 3, 20_000, 40_000],
      ['db', 1, 20_000, 20_000],
      ['worker', 1, 45_000, 45_000],
    ],
  );
  assert.deepEqual(
    [report.recovery.all.count, report.recovery.all.medianMs, report.recovery.all.p90Ms],
    [5, 20_000, 45_000],
  );
  assert.equal(report.detect.medianMs, 3000);
  assert.deepEqual(
    report.chronic.map((c) => [c.service, c.incidents, c.heals]),
    [['api', ['inc-3', 'inc-5'], 3]],
  );
  assert.deepEqual(
    report.escalations.map((e) => [e.id, e.service, e.reason, e.chronic]),
    [['inc-5:page:1', 'api', 'breaker-open', true]],
  );
  assert.deepEqual(
    report.shadow.map((s) => [
      s.incident,
      s.verdict,
      s.recoveredOnItsOwn,
      s.resolvedAfterMs,
      s.outcome,
    ]),
    [
      ['inc-6', 'would-heal', true, 45_000, 'resolved-without-heal'],
      ['inc-7', 'would-heal', false, null, 'open'],
    ],
  );
});

test('an empty window reports zeros, not errors', () => {
  const report = buildReport([], { since: T0, until: T0 + 1 });
  assert.equal(report.incidents.total, 0);
  assert.equal(report.totals.successRate, null);
  assert.equal(report.recovery.all.medianMs, null);
  assert.deepEqual(
    [report.heals, report.chronic, report.escalations, report.shadow],
    [[], [], [], []],
  );
});
