import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import type { Store, StoredSignal } from '../../src/store/store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { failedObservation, recordSignal, signal, T0 } from './contract/fixtures.ts';
import { countRows, holdWriteLock, makeReadOnly } from './sqlite-conditions.ts';

/**
 * Each failure is a real condition on a real file. After each, the file is reopened normally and
 * everything committed before the failure must be there, exactly, and nothing of the failed write.
 */

let folder = '';
let path = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mend-store-errors-'));
  path = join(folder, 'mend.db');
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A store holding `count` signals (two observations each); returns what it lists, closed. */
async function storeWithSignals(count: number) {
  const store = await openStore({ path });
  for (let n = 0; n < count; n++) {
    await recordSignal(
      store,
      signal({ at: T0 + n, evidence: [failedObservation(T0 + n - 1), failedObservation(T0 + n)] }),
    );
  }
  const listed = await store.listSignals();
  await store.close();
  return listed;
}

function storeError(kind: StoreError['kind'], ...mentions: RegExp[]) {
  return (error: unknown) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    assert.equal(error.path, path);
    assert.ok(error.message.includes(path), error.message);
    for (const mention of mentions) assert.match(error.message, mention);
    return true;
  };
}

async function reopenedSignals() {
  const store = await openStore({ path });
  try {
    return await store.listSignals();
  } finally {
    await store.close();
  }
}

describe('SqliteStore on a file that is not a database', () => {
  test('garbage bytes: corrupt, at open, and the file is left as it was', async () => {
    const garbage = Buffer.from('this is not an SQLite database, it is a text file. '.repeat(200));
    await writeFile(path, garbage);
    await assert.rejects(openStore({ path }), storeError('corrupt', /SQLITE_NOTADB/, /--db/));
    assert.deepEqual(await readFile(path), garbage);
  });

  test('a mend database with damaged pages: corrupt, at open or at the first read', async () => {
    await storeWithSignals(50);
    const size = (await stat(path)).size;
    const file = await open(path, 'r+');
    // Keep the header page, overwrite every other page with a pattern.
    await file.write(Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096);
    await file.close();
    await assert.rejects(
      async () => {
        const store = await openStore({ path });
        try {
          await store.listSignals();
        } finally {
          await store.close();
        }
      },
      storeError('corrupt', /SQLITE_CORRUPT|SQLITE_NOTADB/),
    );
  });
});

describe('SqliteStore when another process holds the write lock', () => {
  test('a write waits busy_timeout, fails as locked, and loses nothing', async () => {
    const before = await storeWithSignals(3);
    const store = await openStore({ path, busyTimeoutMs: 200 });
    const lock = await holdWriteLock(path);
    let released = false;
    try {
      const started = Date.now();
      await assert.rejects(
        recordSignal(store, signal({ summary: 'while locked' })),
        storeError('locked', /SQLITE_BUSY/, /after 200 ms/, /stop the other mend/),
      );
      assert.ok(Date.now() - started >= 150, 'it waited for the lock first');
      // WAL: readers never wait for a writer.
      assert.deepEqual(await store.listSignals(), before);
      await lock.release();
      released = true;
      const id = await recordSignal(store, signal({ summary: 'after the lock', at: T0 + 100 }));
      await store.close();
      assert.deepEqual(await reopenedSignals(), [
        ...before,
        { ...signal({ summary: 'after the lock', at: T0 + 100 }), id },
      ]);
    } finally {
      if (!released) await lock.release();
      await store.close();
    }
  });

  test('opening while it is held fails as locked, at open', async () => {
    const before = await storeWithSignals(2);
    const lock = await holdWriteLock(path);
    try {
      await assert.rejects(
        openStore({ path, busyTimeoutMs: 100 }),
        storeError('locked', /after 100 ms/),
      );
    } finally {
      await lock.release();
    }
    assert.deepEqual(await reopenedSignals(), before);
  });
});

describe('SqliteStore on a file it cannot write', () => {
  test('read-only: refused at open, and the data is intact once writable again', async (t) => {
    const before = await storeWithSignals(3);
    const readOnly = await makeReadOnly(path);
    if ('impossible' in readOnly) {
      t.skip(readOnly.impossible);
      return;
    }
    try {
      await assert.rejects(
        openStore({ path }),
        storeError('readonly', /SQLITE_READONLY/, /writable/),
      );
    } finally {
      await readOnly.undo();
    }
    assert.deepEqual(await reopenedSignals(), before);
  });
});

describe('SqliteStore when there is no room', () => {
  test('full: the failed signal leaves no row, and everything before it stays', async () => {
    const before = await storeWithSignals(5);
    // Capped a few pages above its current size, as a volume about to run out of space.
    const maxSizeBytes = (await stat(path)).size + 4 * 4096;
    const store: Store = await openStore({ path, maxSizeBytes });
    let small: StoredSignal;
    try {
      const big = 'x'.repeat(64 * 1024);
      const tooBig = signal({
        summary: 'does not fit',
        at: T0 + 100,
        evidence: [1, 2, 3, 4].map((n) => failedObservation(T0 + n, { output: big })),
      });
      await assert.rejects(recordSignal(store, tooBig), storeError('full', /SQLITE_FULL/));
      assert.deepEqual(await store.listSignals(), before);
      // The failed transaction is gone, not left half open: what still fits is recorded.
      const fits = signal({ summary: 'fits', at: T0 + 200 });
      small = { ...fits, id: await recordSignal(store, fits) };
    } finally {
      await store.close();
    }
    assert.deepEqual(await reopenedSignals(), [...before, small]);
    // No orphaned evidence: a signal and its observations are written together or not at all.
    assert.equal(countRows(path, 'signals'), 6);
    assert.equal(countRows(path, 'observations'), 12);
  });
});

describe('SqliteStore at its size cap', () => {
  test('a store filled to its cap is refused at open, as full; under a higher cap it opens', async () => {
    await storeWithSignals(1);
    const maxSizeBytes = (await stat(path)).size + 2 * 4096;
    const store = await openStore({ path, maxSizeBytes });
    try {
      for (let n = 0; ; n++) {
        const big = signal({
          at: T0 + n,
          evidence: [failedObservation(T0, { output: 'x'.repeat(3000) })],
        });
        try {
          await recordSignal(store, big);
        } catch (error) {
          assert.ok(error instanceof StoreError && error.kind === 'full', String(error));
          break;
        }
      }
    } finally {
      await store.close();
    }
    const before = await reopenedSignals();
    await assert.rejects(
      openStore({ path, maxSizeBytes }),
      storeError('full', /has reached its size cap/, /raise the cap \(--db-max-size\)/),
    );
    const roomier = await openStore({ path, maxSizeBytes: maxSizeBytes + 4096 });
    await roomier.close();
    assert.deepEqual(await reopenedSignals(), before);
  });
});

describe('SqliteStore where no file can be', () => {
  test('a path below a regular file: unavailable', async () => {
    await writeFile(join(folder, 'plain-file'), 'x');
    path = join(folder, 'plain-file', 'mend.db');
    await assert.rejects(openStore({ path }), storeError('unavailable', /--db/));
  });

  test('a path that is a folder: unavailable', async () => {
    path = folder;
    await assert.rejects(openStore({ path }), storeError('unavailable', /SQLITE_CANTOPEN/));
  });
});
