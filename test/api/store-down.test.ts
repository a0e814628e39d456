import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { call, startRunningMend } from '../helpers/running-mend.ts';

test('a store that cannot answer is a 503 with Retry-After, not a 500', async () => {
  const mend = await startRunningMend();
  try {
    const before = await call(mend.base, 'GET', '/api/v1/incidents', { token: mend.tokens.viewer });
    assert.equal(before.status, 200);
    await rm(mend.db);
    const after = await call(mend.base, 'GET', '/api/v1/incidents', { token: mend.tokens.viewer });
    assert.equal(after.status, 503, after.body);
    assert.equal(after.headers['retry-after'], '5');
    assert.match(
      (after.json() as { detail: string }).detail,
      /the store cannot answer now \(replaced\)/,
    );
  } finally {
    await mend.stop();
  }
});
