import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freshStore } from '../../src/demo/fresh-store.ts';

test('each demo run starts on an empty store and keeps the last run for inspection', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mend-demo-'));
  try {
    const db = join(dir, 'demo.db');
    assert.equal(await freshStore(db), undefined, 'first run: nothing to keep');
    await writeFile(db, 'run 1');
    await writeFile(`${db}-wal`, 'wal 1');
    assert.equal(await freshStore(db), join(dir, 'demo.previous.db'));
    assert.deepEqual((await readdir(dir)).sort(), ['demo.previous.db', 'demo.previous.db-wal']);
    await writeFile(db, 'run 2');
    await freshStore(db);
    // The run before the last is gone, with its write-ahead log.
    assert.deepEqual(await readdir(dir), ['demo.previous.db']);
    assert.equal(await readFile(join(dir, 'demo.previous.db'), 'utf8'), 'run 2');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
