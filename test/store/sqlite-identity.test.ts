import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { recordSignal, signal } from './contract/fixtures.ts';

let folder = '';
let path = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mend-identity-'));
  path = join(folder, 'mend.db');
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

const replaced = (what: RegExp) => (error: unknown) => {
  assert.ok(error instanceof StoreError, String(error));
  assert.equal(error.kind, 'replaced');
  assert.match(error.message, what);
  return true;
};

test('a store whose file was deleted refuses every call: writes, reads and the ping', async () => {
  const store = await openStore({ path });
  try {
    await recordSignal(store, signal({}));
    await rm(path);
    const deleted = replaced(
      /^store \S+mend\.db was deleted while mend ran \(the path names no file now\): what mend records now would be lost/,
    );
    // SQLite would take this write into the unlinked file, and say it was recorded.
    await assert.rejects(recordSignal(store, signal({ summary: 'lost' })), deleted);
    await assert.rejects(store.listSignals(), deleted);
    await assert.rejects(store.ping(), deleted);
  } finally {
    await store.close();
  }
});

test('a store whose file was replaced (a restore by mv) refuses every call, naming both files', async () => {
  const store = await openStore({ path });
  const other = join(folder, 'other.db');
  await (await openStore({ path: other })).close();
  try {
    const opened = (await stat(path)).ino;
    await rename(other, path);
    await assert.rejects(
      store.listIncidents(),
      replaced(
        new RegExp(
          `was replaced while mend ran \\(it opened inode ${opened}; the path names inode \\d+ now\\)`,
        ),
      ),
    );
  } finally {
    await store.close();
  }
  // Opened again, the store is the file now at the path.
  const again = await openStore({ path });
  await again.listIncidents();
  await again.close();
});
