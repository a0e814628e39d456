import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runMend } from '../helpers/mend-process.ts';
import { call, RUNNING_MEND_CONFIG, startRunningMend } from '../helpers/running-mend.ts';

const settings = (limits: string) => `---
apiVersion: mend/v1
kind: Settings
metadata: { name: settings }
spec:
  api:
    authFailures: ${limits}
`;

test('Settings api.authFailures sets when an address that keeps failing is refused, and for how long', async () => {
  const mend = await startRunningMend({
    config: (url) => RUNNING_MEND_CONFIG(url) + settings('{ maxFailures: 2, block: 2m }'),
  });
  try {
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 3; i++) {
      const answer = await call(mend.base, 'GET', '/api/v1/services', {
        from: '127.0.3.1',
        token: 'mend_wrong',
      });
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = String(answer.headers['retry-after']);
    }
    assert.deepEqual(statuses, [401, 401, 429]);
    // The block was 2m: what is left of it, rounded up to whole seconds.
    assert.ok(Number(retryAfter) > 100 && Number(retryAfter) <= 120, `Retry-After ${retryAfter}`);
  } finally {
    await mend.stop();
  }
});

test('a block longer than maxBlock is a config error at its line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-auth-limits-'));
  try {
    const file = join(dir, 'mend.yaml');
    await writeFile(
      file,
      RUNNING_MEND_CONFIG('http://127.0.0.1:9/') + settings('{ block: 1h, maxBlock: 10m }'),
    );
    const run = await runMend(['validate', '-c', file], { timeoutMs: 30_000 });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(
      run.stdout + run.stderr,
      /mend\.yaml:\d+:\d+: spec\.api\.authFailures\.block: expected block no longer than maxBlock/,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
