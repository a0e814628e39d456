import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMendConfig } from '../../src/documents.ts';
import { errorLines, service, withFiles } from './files.ts';

const policy = (name: string, spec: string) =>
  `apiVersion: mend/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;

test('a Policy loads with its defaults, durations in ms and matchers parsed', async () => {
  const files = {
    'a.yaml': `${service('api')}---\n${policy(
      'restart',
      [
        '  match:',
        '    matchers: [\'env="prod"\', \'check=~"live|ready"\']',
        '    services: {names: [api], matchers: [\'team!="ops"\']}',
        '  when: signal.labels["env"] == "prod"',
        '  for: 1m30s',
        '  heal: {runbook: restart, params: {unit: "{{service.name}}", n: 2}}',
        '  maxUnhealthy: 40%',
      ].join('\n'),
    )}`,
  };
  await withFiles(files, async (dir) => {
    const { config, errors } = await loadMendConfig([join(dir, 'a.yaml')]);
    assert.deepEqual(errors, []);
    const [restart] = config!.policies;
    assert.deepEqual(
      { ...restart, source: undefined },
      {
        name: 'restart',
        labels: {},
        priority: 0,
        match: {
          sources: [],
          matchers: [
            { name: 'env', op: '=', value: 'prod' },
            { name: 'check', op: '=~', value: 'live|ready' },
          ],
          services: { names: ['api'], matchers: [{ name: 'team', op: '!=', value: 'ops' }] },
          roles: ['liveness'],
        },
        when: 'signal.labels["env"] == "prod"',
        forMs: 90_000,
        count: null,
        action: {
          kind: 'heal',
          rungs: [
            { runbook: 'restart', params: { unit: '{{service.name}}', n: 2 }, deadlineMs: null },
          ],
        },
        escalate: { notifiers: [] },
        maxAttempts: 3,
        windowMs: 3_600_000,
        cooldownMs: 60_000,
        backoff: null,
        maxConcurrent: null,
        onConcurrencyLimit: 'queue',
        maxUnhealthy: { percent: 40 },
        requireApproval: null,
        dryRun: false,
        shadow: false,
        source: undefined,
      },
    );
    assert.deepEqual(config!.settings, {
      dryRun: false,
      maxConcurrent: null,
      groupBy: ['service'],
      chronic: { heals: 3, withinMs: 86_400_000 },
      storeOutage: { exitAfterMs: 60_000 },
    });
  });
});

test('Silence, MaintenanceWindow and Settings load', async () => {
  const files = {
    'a.yaml': [
      'apiVersion: mend/v1\nkind: Silence\nmetadata: {name: s}\nspec:\n  matchers: [service="db"]\n  startsAt: 2026-11-24T10:00:00Z\n  endsAt: 2026-11-24T12:00:00+01:00\n  comment: upgrade\n  createdBy: alice\n',
      'apiVersion: mend/v1\nkind: MaintenanceWindow\nmetadata: {name: w}\nspec: {schedule: "0 2 * * 6", duration: 2h, timeZone: Europe/Berlin}\n',
      'apiVersion: mend/v1\nkind: Settings\nmetadata: {name: settings}\nspec: {dryRun: true, maxConcurrent: 4, groupBy: [service, region], chronic: {heals: 2, within: 1h}, storeOutage: {exitAfter: 30s}}\n',
    ].join('---\n'),
  };
  await withFiles(files, async (dir) => {
    const { config, errors } = await loadMendConfig([join(dir, 'a.yaml')]);
    assert.deepEqual(errors, []);
    const [silence] = config!.silences;
    assert.equal(silence?.startsAt, Date.UTC(2026, 10, 24, 10));
    assert.equal(silence?.endsAt, Date.UTC(2026, 10, 24, 11), 'the offset is applied');
    assert.deepEqual(silence?.matchers, [{ name: 'service', op: '=', value: 'db' }]);
    assert.deepEqual(
      { ...config!.maintenanceWindows[0], source: undefined },
      {
        name: 'w',
        matchers: [],
        schedule: '0 2 * * 6',
        durationMs: 7_200_000,
        timeZone: 'Europe/Berlin',
        source: undefined,
      },
    );
    assert.deepEqual(config!.settings, {
      dryRun: true,
      maxConcurrent: 4,
      groupBy: ['service', 'region'],
      chronic: { heals: 2, withinMs: 3_600_000 },
      storeOutage: { exitAfterMs: 30_000 },
    });
  });
});

test('errors in the new kinds name FILE:LINE:COL, the field, what was expected and found', async () => {
  const lines = await errorLines({
    'a.yaml': `${service('api')}---\n${policy(
      'restart',
      [
        '  match:',
        "    matchers: ['env = \"prod\"', 'job=~\"a(b\"', 'bad matcher']",
        '    roles: [readyness]',
        '  for: 10 minutes',
        '  heal: {runbook: restart, params: {unit: "{{service.nam}}"}}',
        '  page: {notifiers: [oncall]}',
        '  maxUnhealthy: 120%',
        '  cooldown: 2d',
      ].join('\n'),
    )}---\n${policy('typo', '  match: {services: {names: [apj]}}\n  when: signal.lables.env == "x"\n  observe: true')}`,
  });
  assert.deepEqual(lines, [
    'a.yaml:14:32: spec.match.matchers[1]: expected a regular expression in RE2 syntax after =~, found "a(b" (missing closing ): `a(b`)',
    'a.yaml:14:46: spec.match.matchers[2]: expected a matcher such as env="prod" or job=~"api|web" (operators =, !=, =~, !~), found "bad matcher"',
    'a.yaml:15:13: spec.match.roles[0]: expected one of "liveness", "readiness", "startup", found "readyness" (did you mean "readiness"?)',
    'a.yaml:16:8: spec.for: expected a duration such as 30s, 10m, 1h or 1h30m (units d, h, m, s, ms), found "10 minutes"',
    'a.yaml:17:43: spec.heal.params.unit: expected references such as {{signal.labels.NAME}} or {{service.name}} (signal.labels.NAME, signal.service, signal.check, signal.source, signal.fingerprint, service.name, service.labels.NAME, incident.id), found {{service.nam}}',
    'a.yaml:18:9: spec.page: expected exactly one action (heal, ladder, page, observe), found heal and page',
    'a.yaml:19:17: spec.maxUnhealthy: expected a count or a percentage from 0% to 100%, found "120%"',
    'a.yaml:20:13: spec.cooldown: expected a duration of at most 1d, found "2d"',
    'a.yaml:27:30: spec.match.services.names[0]: expected the name of a Service, found "apj" (did you mean "api"?)',
    'a.yaml:28:16: spec.when: expected a CEL condition over signal, service and incident that yields bool, found an error: No such key: lables',
  ]);
});

test('a CEL error is pointed at inside a block scalar, and a non-bool `when` is refused', async () => {
  const lines = await errorLines({
    'a.yaml': `${policy('p', '  when: |\n    signal.labels["env"] == "prod" &&\n      incident.attempts < "3"\n  observe: true')}---\n${policy('q', "  when: 'incident.attempts'\n  observe: true")}`,
  });
  assert.deepEqual(lines, [
    'a.yaml:8:7: spec.when: expected a CEL condition over signal, service and incident that yields bool, found an error: no such overload: int < string',
    'a.yaml:16:10: spec.when: expected a CEL condition over signal, service and incident that yields bool, found an error: it yields int, not bool',
  ]);
});

test('names are unique per kind; at most one Settings', async () => {
  const settings = (name: string) =>
    `apiVersion: mend/v1\nkind: Settings\nmetadata: {name: ${name}}\nspec: {}\n`;
  const lines = await errorLines({
    'a.yaml': `${policy('p', '  observe: true')}---\n${policy('p', '  observe: true')}---\n${settings('a')}---\n${settings('b')}`,
  });
  assert.deepEqual(lines, [
    'a.yaml:11:9: metadata.name: expected a unique Policy name, found "p" again (first at a.yaml:4:9)',
    'a.yaml:22:18: metadata.name: expected at most one Settings document, found "b" (another at a.yaml:17:18)',
  ]);
});

test('silences and windows: times, order, cron and zone are checked', async () => {
  const lines = await errorLines({
    'a.yaml': [
      'apiVersion: mend/v1\nkind: Silence\nmetadata: {name: s}\nspec: {matchers: [], startsAt: "2026-11-24 10:00", endsAt: "2026-11-24T09:00:00Z", comment: x, createdBy: me}\n',
      'apiVersion: mend/v1\nkind: Silence\nmetadata: {name: t}\nspec: {matchers: [a=b], startsAt: "2026-11-24T10:00:00Z", endsAt: "2026-11-24T09:00:00Z", comment: x, createdBy: me}\n',
      'apiVersion: mend/v1\nkind: MaintenanceWindow\nmetadata: {name: w}\nspec: {schedule: "61 * * * *", duration: 30s, timeZone: Mars/Base}\n',
    ].join('---\n'),
  });
  assert.deepEqual(lines, [
    'a.yaml:4:18: spec.matchers: expected a list of at least 1 item, found [] (0 items)',
    'a.yaml:4:32: spec.startsAt: expected an RFC 3339 time such as 2026-11-24T10:00:00Z, found "2026-11-24 10:00"',
    'a.yaml:9:67: spec.endsAt: expected a time after startsAt (2026-11-24T10:00:00Z), found "2026-11-24T09:00:00Z"',
    'a.yaml:14:18: spec.schedule: expected a cron schedule such as "0 2 * * 6" (minute hour day month weekday), found "61 * * * *" (Invalid value for minute: 61)',
    'a.yaml:14:42: spec.duration: expected a duration of at least 1m, found "30s"',
    'a.yaml:14:57: spec.timeZone: expected an IANA time zone such as Europe/Berlin or UTC, found "Mars/Base"',
  ]);
});
