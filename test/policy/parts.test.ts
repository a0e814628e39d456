import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../src/config/kinds/duration.ts';
import { parseMatcher } from '../../src/config/kinds/matcher.ts';
import { renderForService } from '../../src/config/kinds/policy-param-renders.ts';
import { POLICY_TEMPLATES, parseTemplate, RUNBOOK_TEMPLATES } from '../../src/config/template.ts';
import { comparePolicies } from '../../src/policy/compile.ts';
import { iso } from '../../src/policy/format.ts';
import { compileMatchers } from '../../src/policy/matchers.ts';
import { compileSilences } from '../../src/policy/silences.ts';
import { emptyTable, tableEntries, tableGet, tableSet } from '../../src/policy/table.ts';
import { addTimer, emptyTimers, nextTimerAt, takeDue } from '../../src/policy/timers.ts';
import { firing, makeConfig, run, T0 } from './helpers.ts';

test('durations: Prometheus spellings in, shortest spelling out', () => {
  const cases: Array<[string, number | undefined]> = [
    ['0', 0],
    ['0s', 0],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1d2h', 93_600_000],
    ['500ms', 500],
    ['1m500ms', 60_500],
    ['', undefined],
    ['10', undefined],
    ['10 m', undefined],
    ['1m1h', undefined],
    ['1.5h', undefined],
    ['-1s', undefined],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), (ms) => {
      assert.equal(parseDuration(formatDuration(ms)), ms);
    }),
  );
});

test('durations under half a millisecond, or below zero, read 0s, never an empty word', () => {
  for (const ms of [0, 0.3, -0.2, -5]) assert.equal(formatDuration(ms), '0s');
  assert.equal(formatDuration(0.6), '1ms');
});

test('matchers: Alertmanager syntax; a missing label is ""; regexes are anchored', () => {
  assert.deepEqual(parseMatcher('env="prod"'), { name: 'env', op: '=', value: 'prod' });
  assert.deepEqual(parseMatcher(' team != ops '), { name: 'team', op: '!=', value: 'ops' });
  assert.deepEqual(parseMatcher('msg=~"a\\"b"'), { name: 'msg', op: '=~', value: 'a"b' });
  assert.deepEqual(parseMatcher('app.kubernetes.io/name!~"x|y"'), {
    name: 'app.kubernetes.io/name',
    op: '!~',
    value: 'x|y',
  });
  assert.ok('error' in parseMatcher('env'));
  assert.ok('error' in parseMatcher('env=="x"'));
  const matches = (matchers: string[], labels: Record<string, string>) =>
    compileMatchers(matchers.map((m) => parseMatcher(m) as never))(labels);
  assert.equal(matches(['job=~"api"'], { job: 'api-2' }), false, 'anchored at the end');
  assert.equal(matches(['job=~"api.*"'], { job: 'api-2' }), true);
  assert.equal(matches(['job=~"pi"'], { job: 'api' }), false, 'anchored at the start');
  assert.equal(matches(['env=""'], {}), true, 'missing is empty');
  assert.equal(matches(['env!~"prod"'], {}), true);
  assert.equal(matches(['env!="prod"', 'team="a"'], { env: 'dev', team: 'a' }), true);
  assert.equal(
    matches(['env!="prod"', 'team="a"'], { env: 'dev', team: 'b' }),
    false,
    'all must match',
  );
  assert.equal(matches([], {}), true);
  assert.equal(matches(['a=~"x|y"'], { a: 'xy' }), false, 'alternation inside the anchors');
});

test('templates: only known references, split into parts', () => {
  assert.deepEqual(
    parseTemplate(
      '{{service.name}}-{{ signal.labels.app.kubernetes.io/name }}.service',
      POLICY_TEMPLATES,
    ),
    [
      { ref: { kind: 'field', name: 'service.name' }, text: '{{service.name}}' },
      '-',
      {
        ref: { kind: 'label', of: 'signal', key: 'app.kubernetes.io/name' },
        text: '{{ signal.labels.app.kubernetes.io/name }}',
      },
      '.service',
    ],
  );
  assert.deepEqual(parseTemplate('plain', POLICY_TEMPLATES), ['plain']);
  assert.ok('error' in (parseTemplate('{{signal.lables.x}}', POLICY_TEMPLATES) as object));
  assert.ok('error' in (parseTemplate('{{process.env.HOME}}', POLICY_TEMPLATES) as object));
  // Each place has its own references: params only in runbooks, signal.source only in policies.
  assert.ok('error' in (parseTemplate('{{params.unit}}', POLICY_TEMPLATES) as object));
  assert.ok(!('error' in (parseTemplate('{{params.unit}}', RUNBOOK_TEMPLATES) as object)));
  assert.ok('error' in (parseTemplate('{{signal.source}}', RUNBOOK_TEMPLATES) as object));
  assert.ok(!('error' in (parseTemplate('{{signal.source}}', POLICY_TEMPLATES) as object)));
});

test('precedence: higher priority first, ties by name', () => {
  const p = (name: string, priority: number) => ({ name, priority }) as never;
  const sorted = [p('b', 0), p('a', 0), p('z', 10), p('c', -1)].sort(comparePolicies);
  assert.deepEqual(
    sorted.map((x: { name: string }) => x.name),
    ['z', 'a', 'b', 'c'],
  );
});

test('times in reasons are RFC 3339 in UTC', () => {
  assert.equal(iso(Date.UTC(2026, 10, 24, 10, 42)), '2026-11-24T10:42:00Z');
  assert.equal(iso(Date.UTC(2026, 10, 24, 10, 42, 0, 5)), '2026-11-24T10:42:00.005Z');
});

test('the table behaves like a map, never changes the old one, and survives JSON', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.option(fc.integer(), { nil: undefined })), {
        maxLength: 200,
      }),
      (writes) => {
        let table = emptyTable<number>();
        const model = new Map<string, number>();
        for (const [key, value] of writes) {
          const before = JSON.stringify(table);
          const next = tableSet(table, key, value);
          assert.equal(JSON.stringify(table), before, 'the old table is unchanged');
          table = next;
          if (value === undefined) model.delete(key);
          else model.set(key, value);
        }
        const rebuilt = JSON.parse(JSON.stringify(table));
        for (const [key, value] of model) assert.equal(tableGet(rebuilt, key), value);
        assert.equal([...tableEntries(table)].length, model.size);
        assert.equal(tableGet(table, '__proto__'), model.get('__proto__'));
      },
    ),
  );
});

test('timers come out due, earliest first, ties in the order they were set', () => {
  let queue = emptyTimers();
  const wake = (at: number, incident: string) => ({
    at,
    kind: 'wake' as const,
    service: 's',
    incident,
  });
  for (const [at, id] of [
    [5_500, 'a'],
    [1_200, 'b'],
    [5_500, 'c'],
    [5_100, 'd'],
    [90_000, 'e'],
  ] as const) {
    queue = addTimer(queue, wake(at, id));
  }
  assert.equal(nextTimerAt(queue), 1_200);
  const first = takeDue(queue, 5_400);
  assert.deepEqual(
    first.due.map((t) => (t.kind === 'wake' ? t.incident : '')),
    ['b', 'd'],
  );
  const second = takeDue(first.queue, 6_000);
  assert.deepEqual(
    second.due.map((t) => (t.kind === 'wake' ? t.incident : '')),
    ['a', 'c'],
  );
  assert.equal(nextTimerAt(second.queue), 90_000);
  assert.equal(takeDue(second.queue, 1_000).due.length, 0);
});

test('maintenance windows follow the time zone across DST (croner pinned)', () => {
  const rules = compileSilences(
    makeConfig({
      maintenanceWindows: {
        nightly: { schedule: '30 2 * * *', duration: '1h', timeZone: 'Europe/Berlin' },
      },
    }),
  );
  const until = (at: string) => rules[0]!.activeUntil(Date.parse(at));
  // Winter (CET, UTC+1): 02:30 Berlin is 01:30Z.
  assert.equal(until('2026-01-15T01:29:59Z'), null);
  assert.equal(until('2026-01-15T01:30:00Z'), Date.parse('2026-01-15T02:30:00Z'));
  assert.equal(until('2026-01-15T02:29:59Z'), Date.parse('2026-01-15T02:30:00Z'));
  assert.equal(until('2026-01-15T02:30:00Z'), null);
  // Summer (CEST, UTC+2): 02:30 Berlin is 00:30Z.
  assert.equal(until('2026-07-15T00:45:00Z'), Date.parse('2026-07-15T01:30:00Z'));
  // 2026-03-29: clocks jump from 02:00 to 03:00, so 02:30 does not exist. croner starts the window
  // when the gap ends (03:00 local, 01:00Z) that day; pinned so a croner upgrade that changes it
  // is noticed (other cron libraries skip the day, or run at 03:30).
  assert.equal(until('2026-03-29T00:59:59Z'), null);
  assert.equal(until('2026-03-29T01:00:00Z'), Date.parse('2026-03-29T02:00:00Z'));
  assert.equal(until('2026-03-29T02:00:00Z'), null);
  assert.equal(until('2026-03-30T00:30:00Z'), Date.parse('2026-03-30T01:30:00Z'));
  // The answer does not depend on the order of the questions (the cache is only a cache).
  assert.equal(until('2026-01-15T01:45:00Z'), Date.parse('2026-01-15T02:30:00Z'));
});

test('the load renders a service-only heal param exactly as the engine does when it heals', () => {
  const templates = [
    '{{service.name}}',
    'x-{{service.labels.tier}}.svc',
    '{{signal.service}}:{{service.labels.tier}}',
    '{{service.labels.none}}',
  ];
  for (const template of templates) {
    const config = makeConfig({
      services: [{ name: 'api', labels: { tier: 'web' } }],
      policies: { p: { heal: { runbook: 'r', params: { v: template } } } },
    });
    const { commands } = run(config, [firing('api', T0)]);
    const heal = commands.find((command) => command.kind === 'heal');
    const atLoad = renderForService(template, { name: 'api', labels: { tier: 'web' } });
    if (atLoad !== null && 'missing' in atLoad) assert.equal(heal, undefined, template);
    else assert.deepEqual(heal?.kind === 'heal' && heal.params.v, atLoad?.value, template);
  }
  assert.equal(renderForService('{{signal.labels.pod}}', { name: 'api', labels: {} }), null);
});
