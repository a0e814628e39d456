import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkNotifierSecrets } from '../../src/notify/check-secrets.ts';
import { DeliveryError } from '../../src/notify/delivery-error.ts';
import { readSecret } from '../../src/notify/secret.ts';
import { REDACTED, Redactor } from '../../src/secrets/redactor.ts';
import { loadYaml, notifier } from './fixtures.ts';

test('a secret is read from the environment or from a file (trimmed), at delivery time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-secret-'));
  try {
    const file = join(dir, 'key');
    await writeFile(file, '  from-a-file\n');
    assert.equal(
      await readSecret({ valueFrom: { env: 'K' } }, { env: { K: 'from-env' } }),
      'from-env',
    );
    assert.equal(await readSecret({ valueFrom: { file } }, { env: {} }), 'from-a-file');
    await writeFile(file, 'rotated\n');
    assert.equal(await readSecret({ valueFrom: { file } }, { env: {} }), 'rotated');
    await writeFile(file, '\n');
    await assert.rejects(readSecret({ valueFrom: { file } }, { env: {} }), {
      message: `cannot read the secret file ${file}: the file is empty`,
      transient: false,
    });
    await assert.rejects(
      readSecret({ valueFrom: { env: 'K' } }, { env: { K: '' } }),
      (err: unknown) => err instanceof DeliveryError && !err.transient,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

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
  assert.deepEqual(
    await checkNotifierSecrets(config.notifiers, { env: { SLACK_URL: 'https://x' } }),
    [
      'notifier oncall: the environment variable PD_KEY is not set; its notifications will fail',
      "notifier hook: cannot read the secret file /nonexistent/token: ENOENT: no such file or directory, open '/nonexistent/token'; its notifications will fail",
    ],
  );
});
