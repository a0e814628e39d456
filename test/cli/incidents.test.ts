import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runMend } from '../helpers/mend-process.ts';
import { buildScenario } from '../incidents/scenario.ts';

/**
 * `mend incidents` and `mend report` as real processes, on a store the real decision loop filled
 * (test/incidents/scenario.ts): three verified heals of api (the third makes it chronic), a fourth
 * failure that opens the breaker and pages, and a shadow decision for worker that recovered alone.
 */
let dir: string;
let db: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-incidents-cli-'));
  ({ db } = await buildScenario(dir));
});
after(() => rm(dir, { recursive: true, force: true }));

async function mend(...args: string[]) {
  const result = await runMend([...args, '--db', db]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

test('incidents list: a table of every incident, filters, and JSON', async () => {
  const table = await mend('incidents', 'list');
  const lines = table.trimEnd().split('\n');
  assert.match(lines[0]!, /^ID +SERVICE +STATUS +OPENED +DURATION +ATTEMPTS +CHRONIC +TITLE$/);
  assert.match(
    lines[1]!,
    /^inc-1 +api +resolved +2026-11-24T10:00:03Z +17s +1 +- +api: 3 consecutive failures: HTTP 503/,
  );
  assert.match(lines[3]!, /^inc-3 +api +resolved +2026-11-24T10:02:03Z +17s +1 +yes /);
  assert.match(lines[4]!, /^inc-4 +api +open +2026-11-24T10:03:03Z +\S+\+ +0 +yes /);
  assert.match(lines[5]!, /^inc-5 +worker +resolved +2026-11-24T10:04:03Z +45s +0 +- /);
  assert.equal(lines.length, 6);

  const open = await mend('incidents', 'list', '--open');
  assert.deepEqual(
    open
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/ +/)[0]),
    ['inc-4'],
  );
  const worker = await mend('incidents', 'list', '--service', 'worker', '--json');
  const rows = JSON.parse(worker);
  assert.deepEqual(
    rows.map((r: { id: string; attempts: number; chronic: boolean }) => [
      r.id,
      r.attempts,
      r.chronic,
    ]),
    [['inc-5', 0, false]],
  );
  const since = await mend('incidents', 'list', '--since', '2026-11-24T10:02:00Z', '--json');
  assert.deepEqual(
    JSON.parse(since).map((r: { id: string }) => r.id),
    ['inc-3', 'inc-4', 'inc-5'],
  );
});

test('incidents show --format md: a post-incident report for a review', async () => {
  const md = await mend('incidents', 'show', 'inc-3', '--format', 'md');
  for (const heading of [
    '# Incident inc-3: api: 3 consecutive failures: HTTP 503 Service Unavailable',
    '## Summary',
    '## Impact window',
    '## Figures',
    '## Timeline',
    '## Signal and evidence',
    '## Decisions',
    '## Runbook steps',
    '## Notifications',
    '## Resolution',
  ]) {
    assert.ok(md.includes(`\n${heading}\n`) || md.startsWith(`${heading}\n`), `missing ${heading}`);
  }
  assert.match(
    md,
    /^> \*\*Chronic problem\.\*\* api healed 3 times in 24h: healing is hiding a recurring failure/m,
  );
  assert.match(md, /^\| Time to detect \| 3s \| first failed observation → signal \|$/m);
  assert.match(md, /^\| Time to decide \| 0s \| signal → first decision \(heal\) \|$/m);
  assert.match(md, /^\| Time to recover \| 9s \| signal → verified healthy \|$/m);
  assert.match(
    md,
    /^\| 2026-11-24T10:02:00Z \| 2026-11-24T10:02:03Z \| 2026-11-24T10:02:12Z \(verified healthy\) \| 12s \|$/m,
  );
  assert.match(
    md,
    /^\| 10:02:03\.000 \| decision heal \| healing api with restart \(attempt 3 of 3 within 1h\) \[inc-3:heal:1\] \|$/m,
  );
  assert.match(md, /^\| 10:02:12\.000 \| chronic \| api healed 3 times in 24h/m);
  assert.match(
    md,
    /^\| 10:02:20\.000 \| resolved \| every signal resolved after 17s and 1 heal attempt: recovered after heal \|$/m,
  );
  // The step table from the runbook journal, with the output in a code block.
  assert.match(
    md,
    /^\| 0 \| evidence \| capture vars \| `curl -s http:\/\/127\.0\.0\.1:1\/debug\/vars` \| 0 \| 120ms \| ok \|$/m,
  );
  assert.match(
    md,
    /^\| 0 \| steps \| restart \| `systemctl restart api\.service` \| 0 \| 850ms \| ok \|$/m,
  );
  assert.match(
    md,
    /^Run of `restart` \(revision `r1a2b3`\) by controller, ended succeeded: verify: live passed 1 of 1\.$/m,
  );
  assert.match(md, /```text\ngoroutines: 10432\nopen connections: 512 \| pool exhausted\n```/);
  // Evidence: the observations and the output, whose backticks cannot close the block early.
  assert.match(
    md,
    /^\| 2026-11-24T10:02:02Z \| failed \| 12ms \| 503 \| HTTP 503 Service Unavailable \|$/m,
  );
  assert.match(md, /````text\nHTTP\/1\.1 503 Service Unavailable\n[^`]*``` backticks\n````/);
  assert.match(
    md,
    /^\| 10:02:03\.000 \| `heal` \(policy restart-api\) \| .* \| attempt=1, windowAttempt=3, maxAttempts=3, windowMs=1h, rung=0 \|$/m,
  );
});

test('incidents show: a number is no incident id, and says which id to give', async () => {
  for (const ref of ['4', '#4']) {
    const refused = await runMend(['incidents', 'show', ref, '--db', db]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.equal(
      refused.stderr,
      `mend: ${ref} is not an incident id: give the inc-N id that \`mend incidents list\` shows\n`,
    );
  }
  const unknown = await runMend(['incidents', 'show', 'inc-42', '--db', db]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^mend: no incident inc-42 in /);
});

test('incidents show: the chronic page and its delivery are shown', async () => {
  const text = await mend('incidents', 'show', 'inc-4');
  assert.match(text, /^Incident inc-4: api: 3 consecutive failures/);
  assert.match(text, /^Status: +open$/m);
  assert.match(
    text,
    /^CHRONIC: +api healed 3 times in 24h: healing is hiding a recurring failure/m,
  );
  assert.match(
    text,
    /decision wait +attempt 4 of 3 within 1h: breaker api\/restart open until .*; paging oncall \(chronic: healed 3 times in 24h: healing is hiding a recurring failure\) \[inc-4:page:1\]$/m,
  );
  assert.match(
    text,
    /notification +page inc-4:page:1 to oncall \(webhook\): delivered after 1 attempt in 14ms$/m,
  );
  const md = await mend('incidents', 'show', 'inc-4', '--format', 'md');
  assert.match(
    md,
    /^\| 10:03:03\.000 \| page \(chronic\) \| `inc-4:page:1` \| oncall \| api: .*healing is hiding a recurring failure\) \| succeeded \|$/m,
  );
  assert.match(md, /^Still open\.$/m);
});

test('incidents show --format json: everything, structured', async () => {
  const view = JSON.parse(await mend('incidents', 'show', 'inc-1', '--format', 'json'));
  assert.equal(view.id, 'inc-1');
  assert.deepEqual(
    [view.figures.timeToDetectMs, view.figures.timeToDecideMs, view.figures.timeToRecoverMs],
    [3000, 0, 9000],
  );
  assert.equal(view.figures.outcome, 'healed');
  assert.equal(view.signals[0].evidence.length, 3);
  assert.match(view.signals[0].evidence[2].output, /^HTTP\/1\.1 503/);
  assert.deepEqual(
    view.heals[0].steps.map((s: { command: string; exitCode: number }) => [s.command, s.exitCode]),
    [
      ['curl -s http://127.0.0.1:1/debug/vars', 0],
      ['systemctl restart api.service', 0],
    ],
  );
  assert.equal(view.heals[0].journal.length, 6, 'run and step rows, intent and result');
  assert.equal(view.heals[0].run.result.outcome, 'succeeded');
  assert.ok(view.events.some((e: { type: string }) => e.type === 'outcome'));
});

test('unknown incidents and missing stores are errors, with exit code 1', async () => {
  const unknown = await runMend(['incidents', 'show', 'inc-99', '--db', db]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^mend: no incident inc-99 in /m);
  const missing = await runMend(['report', '--db', join(dir, 'nope.db')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^mend: no store at .*nope\.db/m);
});

test('report: heals, success rate, recovery, chronic services, pages, shadow vs what happened', async () => {
  const window = ['--since', '2026-11-24T00:00:00Z', '--until', '2026-11-25T00:00:00Z'];
  const text = await mend('report', ...window);
  assert.match(
    text,
    /^Incidents: 5 \(1 open, 3 healed, 0 resolved after failed heals, 1 resolved without a heal\)$/m,
  );
  assert.match(text, /^api +restart +3 +3 +0 +0 +0 +100%$/m);
  assert.match(text, /^api +3 +9s +9s$/m);
  assert.match(text, /^worker +1 +45s +45s$/m);
  assert.match(text, /^\(all\) +4 +9s +45s$/m);
  // How long it was down: from the first failed observation, 3 s before each signal.
  assert.match(text, /^Down \(first failed observation -> recovered\): median 12s, p90 48s\.$/m);
  assert.match(text, /^Chronic services \(healing is hiding a recurring failure\):$/m);
  assert.match(text, /^api +3 +24h +inc-3,inc-4 +2026-11-24T10:03:03Z$/m);
  assert.match(text, /^2026-11-24T10:03:03Z +inc-4:page:1 +api +oncall +breaker-open +yes /m);
  assert.match(
    text,
    /^inc-5 +worker +restart-worker +heal +2026-11-24T10:04:03Z +recovered on its own +45s$/m,
  );

  const json = JSON.parse(await mend('report', ...window, '--json'));
  assert.equal(json.totals.successRate, 1);
  assert.equal(json.recovery.all.medianMs, 9000);
  assert.equal(json.impact.medianMs, 12000);
  assert.equal(json.shadow[0].recoveredOnItsOwn, true);

  // --since 7d counts back from now.
  const recent = JSON.parse(await mend('report', '--since', '7d', '--json'));
  assert.ok(Math.abs(recent.until - recent.since - 7 * 86_400_000) < 1000);
});
