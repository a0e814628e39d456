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

test('on a non-loopback address the API is served only with --insecure-api; /metrics always', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-listen-'));
  const config = join(dir, 'mend.yaml');
  await writeFile(
    config,
    'apiVersion: mend/v1\nkind: Service\nmetadata: { name: api }\nspec: {}\n',
  );
  try {
    for (const insecure of [false, true]) {
      const mend = new MendProcess([
        'run',
        '-c',
        config,
        '--db',
        join(dir, `${insecure}.db`),
        '--listen',
        '0.0.0.0:0',
        ...(insecure ? ['--insecure-api'] : []),
      ]);
      try {
        const running = await mend.waitForLog(/^mend running/, 20_000);
        const port = /listen:\s+http:\/\/[^:]+:(\d+)/.exec(running)![1];
        const base = `http://127.0.0.1:${port}`;
        assert.equal((await call(base, 'GET', '/metrics')).status, 200);
        const api = await call(base, 'GET', '/api/v1/services');
        if (insecure) {
          assert.equal(api.status, 401);
          assert.equal(mend.countLogs(/operator API served without TLS on 0\.0\.0\.0/), 1);
        } else {
          assert.equal(api.status, 404);
          assert.equal(
            mend.countLogs(/operator API not served on 0\.0\.0\.0: .*--insecure-api/),
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
