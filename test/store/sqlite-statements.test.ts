import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { toKyselyDatabase } from '../../src/store/node-sqlite-dialect.ts';

test('a statement is prepared once per SQL text and kept, within a bound', () => {
  const raw = new DatabaseSync(':memory:');
  const db = toKyselyDatabase(raw);
  db.prepare('create table t (n integer)').run([]);
  const insert = db.prepare('insert into t (n) values (?)');
  assert.equal(db.prepare('insert into t (n) values (?)'), insert, 'the same statement again');
  insert.run([1]);
  db.prepare('insert into t (n) values (?)').run([2]);
  assert.deepEqual(db.prepare('select n from t order by n').all([]), [{ n: 1 }, { n: 2 }]);
  // Past the bound the oldest goes: 300 other texts later, `insert` is prepared anew.
  for (let i = 0; i < 300; i++) db.prepare(`select ${i} as n`).all([]);
  assert.notEqual(db.prepare('insert into t (n) values (?)'), insert);
  db.close();
});

test('ROLLBACK is judged each time: nothing when no transaction is open, a real one when it is', () => {
  const raw = new DatabaseSync(':memory:');
  const db = toKyselyDatabase(raw);
  db.prepare('create table t (n integer)').run([]);
  // No transaction (as after SQLITE_FULL rolled it back): the stand-in, which does nothing.
  assert.doesNotThrow(() => db.prepare('rollback').run([]));
  db.prepare('begin').run([]);
  db.prepare('insert into t (n) values (?)').run([1]);
  db.prepare('rollback').run([]);
  assert.equal(raw.isTransaction, false);
  assert.deepEqual(db.prepare('select count(*) as c from t').all([]), [{ c: 0 }]);
  db.close();
});
