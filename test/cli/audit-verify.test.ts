import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, test } from 'node:test';
import { auditHash } from '../../src/store/audit-chain.ts';
import { openStore } from '../../src/store/open.ts';
import type { StoredAuditEntry } from '../../src/store/store.ts';
import { MendProcess, runMend } from '../helpers/mend-process.ts';

/**
 * Someone with the file opens it directly (node:sqlite), drops the append-only triggers and
 * edits, deletes, reorders or inserts a row: `mend audit verify`, a real process, exits 1 and
 * names the row. Each case starts from a log that verifies (the negative control).
 */

let dir = '';
let db = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-audit-verify-'));
  db = join(dir, 'mend.db');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

/** A log of `count` rows, as the store writes them. */
async function logOf(count: number): Promise<StoredAuditEntry[]> {
  const store = await openStore({ path: db });
  try {
    for (let n = 0; n < count; n++) {
      await store.appendAudit({
        at: T0 + n * 1000,
        actor: n % 2 ? 'token:deploy' : 'cli:alice',
        ...(n % 2 ? { role: 'operator' as const, source: '192.0.2.1', requestId: `r${n}` } : {}),
        action: 'breaker.reset',
        target: `breaker/svc-${n}`,
        params: { service: `svc-${n}` },
        result: 'accepted',
      });
    }
    return await store.listAudit();
  } finally {
    await store.close();
  }
}

/** Runs SQL on the file with the append-only triggers dropped, as an intruder would. */
function tamper(...statements: string[]): void {
  const raw = new DatabaseSync(db);
  try {
    raw.exec(
      'drop trigger if exists audit_log_no_update; drop trigger if exists audit_log_no_delete;',
    );
    for (const statement of statements) raw.exec(statement);
  } finally {
    raw.close();
  }
}

async function verify(...args: string[]) {
  return runMend(['audit', 'verify', '--db', db, ...args]);
}

async function assertFails(pattern: RegExp, ...args: string[]) {
  const result = await verify(...args);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /^audit log does NOT verify: /);
  assert.match(result.stdout, pattern);
  return result;
}

test('an untouched log verifies: exit 0, the count, and the head to keep elsewhere', async () => {
  const rows = await logOf(5);
  const result = await verify();
  assert.equal(result.code, 0, result.stderr);
  const head = rows.at(-1)!;
  assert.equal(
    result.stdout.split('\n')[0],
    `audit log verified: 5 row(s); head seq 5 sha256 ${head.hash}`,
  );
  assert.match(result.stdout, new RegExp(`--anchor 5:${head.hash}`));
  const empty = join(dir, 'empty.db');
  await (await openStore({ path: empty })).close();
  const none = await runMend(['audit', 'verify', '--db', empty]);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /^audit log verified: 0 row\(s\); head seq 0 sha256 0{64}$/m);
});

test('an edited row is named: any field, even one that looks harmless', async () => {
  await logOf(5);
  tamper(`update audit_log set target = 'breaker/other' where id = 3`);
  const result = await assertFails(
    /row seq 3 \(id 3\): its content does not match its hash: edited after it was written/,
  );
  assert.match(result.stdout, /^2 row\(s\) before it verified \(seq 1-2\)$/m);
});

test('an edit that also recomputes the row hash is found at the next row', async () => {
  const rows = await logOf(5);
  const forged = { ...rows[2]!, actor: 'cli:mallory' };
  tamper(`update audit_log set actor = 'cli:mallory', hash = '${auditHash(forged)}' where id = 3`);
  await assertFails(/row seq 4 \(id 4\) does not follow the row before it/);
});

test('a deleted row is found at the row after it; deleted last rows, against the head', async () => {
  await logOf(5);
  tamper('delete from audit_log where id = 2');
  await assertFails(
    /row seq 3 \(id 3\) comes where seq 2 should: seq 2 deleted, or rows reordered/,
  );
  tamper('delete from audit_log where id >= 4');
  await assertFails(/row seq 3 \(id 3\) comes where seq 2 should/);
});

test('the last rows deleted: the chain ends before its head', async () => {
  await logOf(5);
  tamper('delete from audit_log where id >= 4');
  await assertFails(
    /the chain ends at seq 3 \(id 3\), but its head says seq 5: the last rows were deleted/,
  );
});

test('rows reordered (ids swapped) are found where the order breaks', async () => {
  await logOf(5);
  tamper(
    'update audit_log set id = 1000 where id = 2',
    'update audit_log set id = 2 where id = 3',
    'update audit_log set id = 3 where id = 1000',
  );
  await assertFails(
    /row seq 3 \(id 2\) comes where seq 2 should: seq 2 deleted, or rows reordered/,
  );
});

test('an inserted row is found: before the first, or correctly hashed past the head', async () => {
  const rows = await logOf(3);
  const insert = (id: number, seq: number, prev: string, hash: string) =>
    `insert into audit_log (id, at, actor, action, target, params, result, seq, prev_hash, hash) values (${id}, ${T0}, 'cli:mallory', 'token.create', 'token/backdoor', '{}', 'ok', ${seq}, '${prev}', '${hash}')`;
  tamper(insert(0, 0, 'e'.repeat(64), 'f'.repeat(64)));
  await assertFails(/row seq 0 \(id 0\): its content does not match its hash/);
  tamper('delete from audit_log where id = 0');
  assert.equal((await verify()).code, 0, 'removing the forged row restores the chain');

  // A forged fourth row with a hash computed as mend would: only the head betrays it.
  const forged = {
    seq: 4,
    at: T0,
    actor: 'cli:mallory',
    action: 'token.create',
    target: 'token/backdoor',
    params: {},
    result: 'ok' as const,
    prevHash: rows[2]!.hash,
  };
  tamper(insert(4, 4, forged.prevHash, auditHash(forged)));
  await assertFails(
    /the chain goes on to seq 4 \(id 4\), past its head \(seq 3\): rows were added by hand/,
  );
});

test('a row that no longer reads as one is named, not a crash', async () => {
  await logOf(3);
  tamper(`update audit_log set params = 'not json' where id = 2`);
  await assertFails(/row id 2 cannot be read: /);
});

test('a whole chain rewritten by someone with the file holds, except against an anchor kept elsewhere', async () => {
  const rows = await logOf(4);
  const anchor = `${rows[3]!.seq}:${rows[3]!.hash}`;
  // Rewrite: change row 2, then recompute every hash after it and the head, as mend would.
  let prevHash = rows[0]!.hash;
  const statements = [];
  for (const row of rows.slice(1)) {
    const content = { ...row, target: row.id === 2 ? 'breaker/forged' : row.target, prevHash };
    const hash = auditHash(content);
    statements.push(
      `update audit_log set target = '${content.target}', prev_hash = '${prevHash}', hash = '${hash}' where id = ${row.id}`,
    );
    prevHash = hash;
  }
  statements.push(`update audit_chain_head set hash = '${prevHash}'`);
  tamper(...statements);
  assert.equal((await verify()).code, 0, 'the limit: a consistent rewrite verifies on its own');
  await assertFails(/row seq 4 \(id 4\): its hash is not the anchor's/, '--anchor', anchor);
  const bad = await verify('--anchor', 'nope');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /expected SEQ:HASH/);
});

test('concurrent writers, real processes: the chain stays one chain', async () => {
  await logOf(1);
  const creators = Array.from(
    { length: 5 },
    (_, n) => new MendProcess(['token', 'create', `bot-${n}`, '--role', 'viewer', '--db', db]),
  );
  const store = await openStore({ path: db });
  try {
    for (let n = 0; n < 10; n++) {
      await store.appendAudit({
        at: T0 + n,
        actor: 'controller',
        action: 'breaker.reset',
        target: `breaker/x-${n}`,
        params: {},
        result: 'ok',
      });
    }
  } finally {
    await store.close();
  }
  const codes = await Promise.all(creators.map((c) => c.exited));
  assert.deepEqual(codes, [0, 0, 0, 0, 0], creators.map((c) => c.stderr).join(''));
  const result = await verify();
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /^audit log verified: 16 row\(s\); head seq 16 /);
});
