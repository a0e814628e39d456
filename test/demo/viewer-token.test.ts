import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { authenticate } from '../../src/api/auth/authenticate.ts';
import { createDemoViewerToken, DEMO_VIEWER } from '../../src/demo/viewer-token.ts';
import { openStore } from '../../src/store/open.ts';

test("the demo's token signs in as a viewer, and its creation is audited", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-demo-token-'));
  const store = await openStore({ path: join(dir, 'demo.db') });
  try {
    const token = await createDemoViewerToken(store, Date.now());
    const judged = await authenticate(`Bearer ${token}`, store, { now: Date.now() });
    assert.ok(judged.ok, 'the token authenticates');
    assert.deepEqual(judged.principal, { tokenName: DEMO_VIEWER, role: 'viewer' });
    const audit = await store.listAudit();
    assert.equal(audit.at(-1)?.target, `token/${DEMO_VIEWER}`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
