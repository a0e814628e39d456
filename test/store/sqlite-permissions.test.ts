import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { lockStore, openStore, storeFilesOpenToOthers } from '../../src/store/open.ts';
import { lockPathOf } from '../../src/store/sqlite-store-lock.ts';
import { MendProcess } from '../helpers/mend-process.ts';
import { recordSignal, signal } from './contract/fixtures.ts';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

let folder = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mend-modes-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

test('a new store: the folders mend makes are 0700, the database, its -wal, -shm and lock 0600', async () => {
  const path = join(folder, 'state', '.mend', 'mend.db');
  const lock = await lockStore({ path });
  const store = await openStore({ path });
  try {
    await recordSignal(store, signal({}));
    assert.equal(await modeOf(join(folder, 'state')), 0o700);
    assert.equal(await modeOf(join(folder, 'state', '.mend')), 0o700);
    for (const file of [path, `${path}-wal`, `${path}-shm`, lockPathOf(path)]) {
      assert.equal(await modeOf(file), 0o600, file);
    }
    assert.deepEqual(storeFilesOpenToOthers(path), []);
  } finally {
    await store.close();
    await lock.release();
  }
});

test('an existing folder and file keep their modes, and a file open to others is reported', async () => {
  const shared = join(folder, 'shared');
  await mkdir(shared, { mode: 0o755 });
  await chmod(shared, 0o755);
  const path = join(shared, 'mend.db');
  await writeFile(path, '');
  await chmod(path, 0o644);
  const store = await openStore({ path });
  try {
    await recordSignal(store, signal({}));
    assert.equal(await modeOf(shared), 0o755);
    assert.equal(await modeOf(path), 0o644);
    // SQLite gives the -wal and -shm the mode of their database.
    assert.deepEqual(storeFilesOpenToOthers(path), [
      `${path} (mode 0644)`,
      `${path}-wal (mode 0644)`,
      `${path}-shm (mode 0644)`,
    ]);
  } finally {
    await store.close();
  }
});

test('mend run warns at start about store files others can read', async () => {
  const path = join(folder, 'open.db');
  await (await openStore({ path })).close();
  await chmod(path, 0o640);
  const config = join(folder, 'mend.yaml');
  await writeFile(
    config,
    'apiVersion: mend/v1\nkind: Service\nmetadata: { name: api }\nspec: { checks: [] }\n',
  );
  const mend = new MendProcess(['run', '-c', config, '--db', path, '--listen', '127.0.0.1:0']);
  try {
    const warning = await mend.waitForLog(/^store files that others than their owner can read/);
    assert.ok(warning.includes(`${path} (mode 0640)`), warning);
    assert.match(warning, /chmod 600 them unless that is on purpose/);
    await mend.waitForLog(/^mend running/);
  } finally {
    mend.kill('SIGTERM');
  }
  assert.equal(await mend.exited, 0, mend.stderr);
});
