import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmod } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';

/**
 * Real failure conditions for an SQLite file, produced the way they happen in production rather
 * than simulated: another process holding the write lock, a file this process cannot write.
 */

/** Another process (not another connection in this one) that holds the write lock. */
const LOCKER = `
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1]);
db.exec('begin immediate');
process.stdout.write('locked\\n');
process.stdin.resume();
process.stdin.on('end', () => { db.exec('rollback'); db.close(); });
`;

export async function holdWriteLock(path: string): Promise<{ release(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', LOCKER, path], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [said] = await once(child.stdout, 'data');
  assert.equal(String(said).trim(), 'locked');
  return {
    async release() {
      const exited = once(child, 'exit');
      child.stdin.end();
      const [code] = await exited;
      assert.equal(code, 0);
    },
  };
}

/**
 * Makes a file unwritable for this process. File modes stop an ordinary user but not root (the
 * tests run as root here), so as root the file is made immutable (chattr +i), which root's
 * writes do obey. Returns why it cannot be done when neither works, for an explicit skip.
 */
export async function makeReadOnly(
  path: string,
): Promise<{ how: string; undo(): Promise<void> } | { impossible: string }> {
  if (process.getuid?.() !== 0) {
    await chmod(path, 0o444);
    return { how: 'chmod 444', undo: () => chmod(path, 0o644) };
  }
  const made = spawnSync('chattr', ['+i', path], { encoding: 'utf8' });
  if (made.status === 0) {
    return {
      how: 'chattr +i',
      undo: async () => {
        spawnSync('chattr', ['-i', path]);
      },
    };
  }
  return {
    impossible: `running as root, and chattr +i failed (${made.error?.message ?? made.stderr.trim()}): root ignores file modes, so no unwritable file can be made here`,
  };
}

/** Counts rows around the store, to see what the database really holds (orphans included). */
export function countRows(path: string, table: string): number {
  const db = new DatabaseSync(path);
  try {
    return Number(db.prepare(`select count(*) as n from ${table}`).get()?.n);
  } finally {
    db.close();
  }
}
