import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMendConfig } from '../../src/documents.ts';
import { errorLines, service, withFiles } from './files.ts';

const notifier = (name: string, spec: string) =>
  `apiVersion: mend/v1\nkind: Notifier\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;

const policy = (name: string, spec: string) =>
  `apiVersion: mend/v1\nkind: Policy\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;

test('Notifiers of every kind load, with their defaults and durations in ms', async () => {
  const files = {
    'n.yaml': [
      notifier('hook', '  webhook:\n    url: http://127.0.0.1:9/notify'),
      notifier(
        'chat',
        '  slack: {webhookUrl: {valueFrom: {env: SLACK_URL}}}\n  link: https://mend.example.com/i/{{incident.id}}',
      ),
      notifier(
        'oncall',
        '  pagerduty: {routingKey: {valueFrom: {file: /run/secrets/pd}}, severity: error}\n  timeout: 3s\n  attempts: 5\n  backoff: {initial: 200ms, max: 5s}\n  approvals: false',
      ),
      notifier(
        'mail',
        '  email:\n    host: smtp.example.com\n    from: mend <mend@example.com>\n    to: [ops@example.com]\n    auth: {user: mend, password: {valueFrom: {env: SMTP_PASSWORD}}}',
      ),
    ].join('---\n'),
  };
  await withFiles(files, async (dir) => {
    const { config, errors } = await loadMendConfig([join(dir, 'n.yaml')]);
    assert.deepEqual(errors, []);
    const byName = Object.fromEntries(
      config!.notifiers.map((n) => [n.name, { ...n, source: undefined }]),
    );
    assert.deepEqual(byName.hook, {
      name: 'hook',
      labels: {},
      kind: 'webhook',
      spec: { url: 'http://127.0.0.1:9/notify', headers: [] },
      timeoutMs: 10_000,
      attempts: 3,
      backoff: { initialMs: 1000, maxMs: 30_000 },
      approvals: true,
      link: null,
      source: undefined,
    });
    assert.equal(byName.chat!.link, 'https://mend.example.com/i/{{incident.id}}');
    assert.deepEqual(byName.oncall!.spec, {
      routingKey: { valueFrom: { file: '/run/secrets/pd' } },
      severity: 'error',
      url: 'https://events.pagerduty.com/v2/enqueue',
    });
    assert.deepEqual(
      [
        byName.oncall!.timeoutMs,
        byName.oncall!.attempts,
        byName.oncall!.backoff,
        byName.oncall!.approvals,
      ],
      [3000, 5, { initialMs: 200, maxMs: 5000 }, false],
    );
    assert.deepEqual(byName.mail!.spec, {
      host: 'smtp.example.com',
      port: 587,
      security: 'starttls',
      from: 'mend <mend@example.com>',
      to: ['ops@example.com'],
      auth: { user: 'mend', password: { valueFrom: { env: 'SMTP_PASSWORD' } } },
      subjectPrefix: '[mend]',
    });
  });
});

test('a secret written inline is refused where it is written, saying where secrets come from', async () => {
  const files = {
    'n.yaml': notifier('oncall', '  pagerduty:\n    routingKey: 0123456789abcdef0123456789abcdef'),
  };
  assert.deepEqual(await errorLines(files), [
    'n.yaml:7:17: spec.pagerduty.routingKey: expected {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}: The integration (routing) key of an Events API v2 integration is a secret and is never written in the config, found "0123456789abcdef0123456789abcdef"',
  ]);
});

test('Notifier errors: no kind, two kinds, both env and file, a bad link, a bad header', async () => {
  const files = {
    'n.yaml': [
      notifier('none', '  attempts: 2'),
      notifier('two', '  webhook: {url: "http://a"}\n  slack: {webhookUrl: {valueFrom: {env: S}}}'),
      notifier('both', '  slack: {webhookUrl: {valueFrom: {env: S, file: /s}}}'),
      notifier('link', '  webhook: {url: "http://a"}\n  link: https://x/{{service.name}}'),
      notifier(
        'hdr',
        '  webhook:\n    url: ftp://a\n    headers: [{name: "Bad Name", value: x}, {name: X-Token}]',
      ),
    ].join('---\n'),
  };
  assert.deepEqual(await errorLines(files), [
    'n.yaml:5:1: spec: expected exactly one notifier kind (webhook, slack, pagerduty, email), found none',
    'n.yaml:14:10: spec.slack: expected exactly one notifier kind (webhook, slack, pagerduty, email), found webhook and slack',
    'n.yaml:21:50: spec.slack.webhookUrl.valueFrom.file: expected exactly one of env and file, found both',
    'n.yaml:29:9: spec.link: expected a URL whose only reference is {{incident.id}}, found "https://x/{{service.name}}"',
    'n.yaml:37:10: spec.webhook.url: expected an absolute http:// or https:// URL, found "ftp://a"',
    'n.yaml:38:22: spec.webhook.headers[0].name: expected an HTTP header name such as Authorization, found "Bad Name"',
    'n.yaml:38:45: spec.webhook.headers[1]: expected exactly one of value and valueFrom, found {"name":"X-Token"}',
  ]);
});

test('policies must name existing Notifiers, once any is defined; names are unique', async () => {
  const files = {
    'a.yaml': [
      service('api'),
      notifier('oncall', '  webhook: {url: "http://127.0.0.1:9/"}'),
      notifier('oncall', '  webhook: {url: "http://127.0.0.1:9/"}'),
      policy('p', '  page: {notifiers: [oncall, oncal]}\n  escalate: {notifiers: [nobody]}'),
    ].join('---\n'),
  };
  assert.deepEqual(await errorLines(files), [
    'a.yaml:18:9: metadata.name: expected a unique Notifier name, found "oncall" again (first at a.yaml:11:9)',
    'a.yaml:27:30: spec.page.notifiers[1]: expected the name of a Notifier, found "oncal" (did you mean "oncall"?)',
    'a.yaml:28:26: spec.escalate.notifiers[0]: expected the name of a Notifier, found "nobody"',
  ]);
});

test('with no Notifier at all, the names policies give are not checked (policy tests, drafts)', async () => {
  const files = {
    'a.yaml': `${service('api')}---\n${policy('p', '  page: {notifiers: [oncall]}')}`,
  };
  assert.deepEqual(await errorLines(files), []);
});
