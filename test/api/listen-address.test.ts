import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isLoopback } from '../../src/api/server.ts';
import { MendProcess } from '../helpers/mend-process.ts';
import { call } from '../helpers/running-mend.ts';

test('loopback addresses', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost'])
    assert.equal(isLoopback(host), true, host);
  for (const host of ['0.0.0.0', '::', '10.0.0.1', '127.0.0.1.example.com', '']) {
    assert.equal(isLoopback(host), false, host);
  }
});

const SERVICE = 'apiVersion: mend/v1\nkind: Service\nmetadata: { name: api }\nspec: {}\n';
const SETTINGS_INSECURE = `---
apiVersion: mend/v1
kind: Settings
metadata: { name: settings }
spec:
  api: { listen: "0.0.0.0:0", insecure: true }
`;

test('on a non-loopback address without TLS the API is served only with --insecure-api or Settings api.insecure; /metrics always', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-listen-'));
  const variants = [
    { name: 'refused', insecure: false, config: SERVICE, args: ['--listen', '0.0.0.0:0'] },
    {
      name: 'flag',
      insecure: true,
      config: SERVICE,
      args: ['--listen', '0.0.0.0:0', '--insecure-api'],
      warning: /operator API served without TLS on 0\.0\.0\.0 \(--insecure-api\)/,
    },
    {
      // No --listen: the address comes from Settings api.listen.
      name: 'settings',
      insecure: true,
      config: SERVICE + SETTINGS_INSECURE,
      args: [],
      warning: /operator API served without TLS on 0\.0\.0\.0 \(Settings api\.insecure\)/,
    },
  ];
  try {
    for (const variant of variants) {
      const config = join(dir, `${variant.name}.yaml`);
      await writeFile(config, variant.config);
      const mend = new MendProcess([
        'run',
        '-c',
        config,
        '--db',
        join(dir, `${variant.name}.db`),
        ...variant.args,
      ]);
      try {
        const running = await mend.waitForLog(/^mend running/, 20_000);
        const port = /listen:\s+http:\/\/0\.0\.0\.0:(\d+)/.exec(running)![1];
        const base = `http://127.0.0.1:${port}`;
        assert.equal((await call(base, 'GET', '/metrics')).status, 200, variant.name);
        const api = await call(base, 'GET', '/api/v1/services');
        if (variant.warning) {
          assert.equal(api.status, 401, variant.name);
          assert.equal(mend.countLogs(variant.warning), 1, variant.name);
        } else {
          assert.equal(api.status, 404);
          assert.equal(
            mend.countLogs(/operator API not served on 0\.0\.0\.0: .*api\.tls.*--insecure-api/),
            1,
          );
        }
      } finally {
        mend.kill('SIGTERM');
        await mend.exited;
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
