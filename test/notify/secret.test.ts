import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkNotifierSecrets } from '../../src/notify/check-secrets.ts';
import { REDACTED, Redactor } from '../../src/secrets/redactor.ts';
import { loadYaml, notifier } from './fixtures.ts';

test('the redactor cuts every secret seen, a URL also by its path, longest first', () => {
  const redactor = new Redactor();
  redactor.add('https://hooks.slack.com/services/T0/B0/abcdefgh');
  redactor.add('routing-key-1');
  redactor.add('abc'); // too short to redact without hiding ordinary words
  assert.equal(
    redactor.redact(
      'POST https://hooks.slack.com/services/T0/B0/abcdefgh failed; path /services/T0/B0/abcdefgh; key routing-key-1; abc',
    ),
    `POST ${REDACTED} failed; path ${REDACTED}; key ${REDACTED}; abc`,
  );
});

test('checkNotifierSecrets names each secret that cannot be read, for a warning at start', async () => {
  const config = await loadYaml(
    notifier('oncall', '  pagerduty: {routingKey: {valueFrom: {env: PD_KEY}}}') +
      notifier(
        'hook',
        '  webhook:\n    url: http://127.0.0.1:9/\n    headers: [{name: Authorization, valueFrom: {file: /nonexistent/token}}]',
      ) +
      notifier('chat', '  slack: {webhookUrl: {valueFrom: {env: SLACK_URL}}}'),
  );
  assert.deepEqual(await checkNotifierSecrets(config.notifiers, { SLACK_URL: 'https://x' }), [
    'notifier oncall: the environment variable PD_KEY is not set; its notifications will fail',
    "notifier hook: cannot read the secret file /nonexistent/token: ENOENT: no such file or directory, open '/nonexistent/token'; its notifications will fail",
  ]);
});
