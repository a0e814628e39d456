import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incidentView } from '../../src/incidents/incident-view.ts';
import { cell, code, codeBlock, table, text } from '../../src/incidents/markdown.ts';
import { MARKDOWN_LIMITS, renderMarkdown } from '../../src/incidents/render-markdown.ts';
import { renderText } from '../../src/incidents/render-text.ts';
import { stepRuns } from '../../src/incidents/steps.ts';
import type { StoredJournalEntry } from '../../src/store/store.ts';
import { ATTACK, RAW_CONTROL } from '../helpers/terminal.ts';
import { firing, outcome, resolved, T0 } from '../policy/helpers.ts';
import { recordsOf } from './records.ts';

let id = 0;
function entry(
  stepIndex: number,
  phase: 'intent' | 'result',
  at: number,
  payload: unknown,
  attempt = 1,
): StoredJournalEntry {
  return {
    id: ++id,
    runId: 'inc-1:heal:1',
    stepIndex,
    attempt,
    idempotencyKey: `inc-1:heal:1:action:${stepIndex}:${attempt}`,
    phase,
    at,
    payload,
  };
}

test('journal entries read generically: intent then result per key, nested payloads lifted', () => {
  const runs = stepRuns([
    entry(0, 'intent', T0, {
      step: { name: 'restart', kind: 'exec', argv: ['systemctl', 'restart', "it's here"] },
    }),
    entry(0, 'result', T0 + 850, {
      result: { ok: true, exitCode: 0, stdout: 'done', stderr: 'warn' },
      extra: 7,
    }),
    entry(1, 'intent', T0 + 900, { kind: 'http', method: 'POST', url: 'https://ci/deploy' }),
  ]);
  assert.equal(runs.length, 2);
  assert.deepEqual(
    {
      name: runs[0]!.name,
      kind: runs[0]!.kind,
      command: runs[0]!.command,
      exitCode: runs[0]!.exitCode,
      ok: runs[0]!.ok,
      durationMs: runs[0]!.durationMs,
      output: runs[0]!.output,
      fields: runs[0]!.fields,
    },
    {
      name: 'restart',
      kind: 'exec',
      command: `systemctl restart 'it'\\''s here'`,
      exitCode: 0,
      ok: true,
      durationMs: 850,
      output: 'done\nwarn',
      fields: { extra: 7 },
    },
  );
  assert.equal(runs[1]!.command, 'POST https://ci/deploy');
  assert.deepEqual(runs[1]!.phases, ['intent'], 'started and never finished');
  assert.equal(runs[1]!.durationMs, null);
});

test('Markdown survives what was recorded: pipes in cells, backticks in code', () => {
  assert.equal(cell('a | b\nc'), 'a \\| b c');
  assert.equal(
    text('a_b *c* `d` <b> [e](f) [g] \\* \u001b'),
    'a\\_b \\*c\\* \\`d\\` \\<b> [e]\\(f) [g] \\\\\\* \\e',
  );
  assert.equal(code('x`y'), '``x`y``');
  assert.equal(codeBlock('a\n```\nb'), '````text\na\n```\nb\n````');
  assert.equal(table(['A', 'B'], [['1', '2|3']]), '| A | B |\n|---|---|\n| 1 | 2\\|3 |');
});

/** The healed incident of the tests below; `said` is what the target and the step said. */
function healedRecord(said = '') {
  const [record] = recordsOf(
    {
      restart: {
        heal: { runbook: 'restart' },
        escalate: { notifiers: ['oncall'] },
        cooldown: '1m',
      },
    },
    [
      firing('api', T0 + 3000, {
        startsAt: T0,
        ...(said ? { summary: `3 consecutive failures: ${said}` } : {}),
        evidence: [
          {
            ok: false,
            startedAt: T0,
            durationMs: 5,
            status: 503,
            error: `HTTP 503${said}`,
            output: said ? `${said}\n\tindented` : 'x'.repeat(5000),
          },
        ],
      }),
      outcome('inc-1:heal:1', T0 + 12_000, 'succeeded'),
      resolved('api', T0 + 20_000),
    ],
  );
  record!.journal['inc-1:heal:1'] = [
    entry(0, 'intent', T0 + 3100, {
      section: 'action',
      name: 'restart',
      argv: ['systemctl', 'restart', 'api'],
    }),
    entry(0, 'result', T0 + 3950, {
      ok: false,
      exitCode: 1,
      durationMs: 850,
      output: `failed once${said}`,
      ...(said ? { error: `exit code 1${said}` } : {}),
    }),
    entry(
      0,
      'intent',
      T0 + 4000,
      { section: 'action', name: 'restart', argv: ['systemctl', 'restart', 'api'] },
      2,
    ),
    entry(0, 'result', T0 + 4800, { ok: true, exitCode: 0, durationMs: 800 }, 2),
  ];
  return record!;
}

test('the post-incident report has every section, the step table and bounded evidence', () => {
  const md = renderMarkdown(incidentView(healedRecord()));
  const headings = [...md.matchAll(/^#+ .*$/gm)].map((m) => m[0]);
  assert.deepEqual(headings, [
    '# Incident inc-1: api: 3 consecutive failures: connect ECONNREFUSED',
    '## Summary',
    '## Impact window',
    '## Figures',
    '## Timeline',
    '## Signal and evidence',
    '### `live` firing at 2026-11-24T10:00:03Z',
    '## Decisions',
    '## Runbook steps',
    '### Heal `inc-1:heal:1`: runbook `restart`, attempt 1: succeeded',
    '## Notifications',
    '## Resolution',
  ]);
  assert.match(md, /^\| Incident \| `inc-1` \|$/m);
  assert.match(md, /^\| Time to recover \| 9s \| signal → verified healthy \|$/m);
  assert.match(
    md,
    /^\| 0 \| action \| restart \| `systemctl restart api` \| 1 \| 850ms \| failed \|$/m,
  );
  assert.match(
    md,
    /^\| 0 \| action \| restart \(try 2\) \| `systemctl restart api` \| 0 \| 800ms \| ok \|$/m,
  );
  assert.match(
    md,
    /^\| 10:00:03\.950 \| step \| inc-1:heal:1 action #0 restart: systemctl restart api: failed \(exit 1, 850ms\) \|$/m,
  );
  assert.match(md, /\[\.\.\. 3000 more characters not shown\]/);
  assert.ok(md.length < 5000 + MARKDOWN_LIMITS.outputChars, 'the 5000-character output is bounded');
  assert.doesNotMatch(md, /Chronic problem/);
});

test('the text form: facts, then one line per timeline entry', () => {
  const text = renderText(incidentView(healedRecord()));
  assert.match(text, /^Incident inc-1: api: 3 consecutive failures/);
  assert.match(text, /^Status: +resolved \(healed\)$/m);
  assert.match(
    text,
    /^Figures: +down 12s, detect 3s, decide 0s \(heal\), recover 9s \(verified healthy\), 1 heal attempt, 0 pages$/m,
  );
  assert.match(text, /^ {2}10:00:12\.000 {2}outcome succeeded +inc-1:heal:1$/m);
});

test('what a target or a step said cannot drive the terminal or add Markdown to the report', () => {
  const said = `${ATTACK}\n| injected | cell |\n## Fake heading [click](http://evil.example) ![x](http://evil.example/x.png) <img src=x onerror=alert(1)> *loud*`;
  const clean = incidentView(healedRecord());
  const view = incidentView(healedRecord(said));
  for (const out of [renderMarkdown(view), renderText(view)]) {
    assert.equal(RAW_CONTROL.test(out), false, JSON.stringify(out));
  }
  assert.equal(renderText(view).split('\n').length, renderText(clean).split('\n').length);
  const md = renderMarkdown(view);
  // Outside the code blocks (where the output is literal): no heading, link, image, HTML or
  // emphasis of its own.
  const outsideBlocks = (text: string) => text.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
  const prose = outsideBlocks(md);
  const headings = (text: string) => [...text.matchAll(/^#+ .*$/gm)].map((m) => m[0]).slice(1);
  assert.deepEqual(headings(prose), headings(outsideBlocks(renderMarkdown(clean))));
  assert.equal(/[^\\]\]\(|[^\\]<img|[^\\]\*loud/.test(prose), false, prose);
  assert.match(prose, /^- Summary: 3 consecutive failures: \\e\]0;PWNED\\a.*\\n\| injected/m);
  const tableRows = (text: string) => text.split('\n').filter((l) => l.startsWith('|')).length;
  assert.equal(tableRows(prose), tableRows(outsideBlocks(renderMarkdown(clean))));
  // The output, in its block: lines and tabs kept, controls shown.
  assert.match(
    md,
    /^```text\n\\e\]0;PWNED\\a\\e\[2J\\e\[31mfake: all healthy\n\| injected \| cell \|\n.*\n\tindented\n```$/m,
  );
});
