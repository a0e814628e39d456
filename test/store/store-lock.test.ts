import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lockStore, openStore } from '../../src/store/open.ts';
import { lockPathOf } from '../../src/store/sqlite-store-lock.ts';
import { StoreLockedError } from '../../src/store/store-lock.ts';

const LOCK_MODULE = fileURLToPath(new URL('../../src/store/open.ts', import.meta.url));

/** Another process that takes the runner lock and holds it until its stdin ends (or it dies). */
async function holdInAnotherProcess(path: string) {
  const script = `
    const { lockStore } = await import(${JSON.stringify(LOCK_MODULE)});
    const lock = await lockStore({ path: process.argv[1] });
    process.stdout.write('held\\n');
    process.stdin.resume();
    process.stdin.on('end', async () => { await lock.release(); });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, path], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [said] = await once(child.stdout, 'data');
  assert.equal(String(said).trim(), 'held');
  return child;
}

let folder = '';
let path = '';
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mend-lock-'));
  path = join(folder, 'mend.db');
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

test('a second runner is refused while one holds the store, naming the holder', async () => {
  const child = await holdInAnotherProcess(path);
  try {
    await assert.rejects(lockStore({ path }), (error: unknown) => {
      assert.ok(error instanceof StoreLockedError, String(error));
      assert.equal(error.owner?.pid, child.pid);
      assert.equal(error.owner?.hostname, hostname());
      assert.match(
        error.message,
        new RegExp(`pid ${child.pid} on host ${hostname()}, since \\d{4}-`),
      );
      assert.match(error.message, /command: \S*node \S*mend\.db;/);
      assert.match(error.message, /Stop that one first, or pass --db to use another file/);
      assert.ok(error.message.includes(lockPathOf(path)), error.message);
      return true;
    });
    // Readers need no lock.
    const store = await openStore({ path });
    await store.listIncidents();
    await store.close();
  } finally {
    child.stdin?.end();
    await once(child, 'exit');
  }
  // Released: the next runner takes it.
  const lock = await lockStore({ path });
  await lock.release();
});

test('a runner killed with SIGKILL leaves no lock behind', async () => {
  const child = await holdInAnotherProcess(path);
  await assert.rejects(lockStore({ path }), StoreLockedError);
  child.kill('SIGKILL');
  await once(child, 'exit');
  const lock = await lockStore({ path });
  try {
    assert.equal(lock.owner.pid, process.pid);
    assert.equal(lock.problem(), undefined);
  } finally {
    await lock.release();
  }
});

test('within one process the lock holds too, and release lets the next one in', async () => {
  const first = await lockStore({ path });
  await assert.rejects(lockStore({ path }), StoreLockedError);
  // Reading the holder's details did not drop the lock for other processes.
  const script = `
    const { lockStore } = await import(${JSON.stringify(LOCK_MODULE)});
    lockStore({ path: process.argv[1] }).then(() => process.stdout.write('taken'), (e) => process.stdout.write(e.name));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  await once(child, 'exit');
  assert.equal(out, 'StoreLockedError');
  await first.release();
  await first.release();
  const second = await lockStore({ path });
  await second.release();
});

test('a lock file deleted or replaced under the runner is a problem it reports', async () => {
  const lock = await lockStore({ path });
  try {
    assert.equal(lock.problem(), undefined);
    await rename(lockPathOf(path), `${lockPathOf(path)}.moved`);
    assert.match(lock.problem() ?? '', /lock file .*mend\.db\.lock was deleted while mend ran/);
    await writeFile(lockPathOf(path), '');
    assert.match(lock.problem() ?? '', /was replaced while mend ran: another mend could start/);
  } finally {
    await lock.release();
  }
});
