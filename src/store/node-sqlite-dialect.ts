import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import {
  type DialectAdapter,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
} from 'kysely';

/**
 * Kysely's SqliteDialect driving node:sqlite (built into Node: no native addon to build).
 * The dialect expects better-sqlite3's shape; `toKyselyDatabase` adapts DatabaseSync to it.
 */
export class NodeSqliteDialect extends SqliteDialect {
  constructor(db: DatabaseSync) {
    super({ database: toKyselyDatabase(db) });
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

/**
 * SQLite does run DDL inside transactions; Kysely's adapter says it does not, which would make the
 * Migrator apply a migration statement by statement and leave half a schema behind on a failure.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Statements kept prepared per database, by their SQL. mend's queries are a few dozen shapes
 * (Kysely compiles values to parameters), and preparing each one again was 6 % of mend's time
 * under a stream of Alertmanager deliveries. Bounded all the same: a query built with a varying
 * number of values (an IN list, a multi-row insert) is a new text per count.
 */
const STATEMENTS_KEPT = 256;

export function toKyselyDatabase(db: DatabaseSync): SqliteDatabase {
  const kept = new Map<string, SqliteStatement>();
  return {
    // Kysely's destroy() closes; the store may already have closed it after a failed open.
    close: () => {
      kept.clear();
      if (db.isOpen) db.close();
    },
    prepare: (sql) => {
      const found = kept.get(sql);
      if (found !== undefined) {
        // Map order is insertion order: taking and putting back makes it the newest.
        kept.delete(sql);
        kept.set(sql, found);
        return found;
      }
      const made = prepare(db, sql);
      // Not kept: the stand-in whose answer depends on the moment (a ROLLBACK with none open).
      if (made === NOTHING || sql === 'rollback') return made;
      kept.set(sql, made);
      if (kept.size > STATEMENTS_KEPT) kept.delete(kept.keys().next().value as string);
      return made;
    },
  };
}

/** Stands in for a statement that must do nothing (see `prepare`). */
const NOTHING: SqliteStatement = {
  reader: false,
  all: () => [],
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
  iterate: () => [][Symbol.iterator](),
};

function prepare(db: DatabaseSync, sql: string): SqliteStatement {
  // A deferred BEGIN takes the write lock only at the first write, and a busy writer then fails
  // without waiting for busy_timeout; IMMEDIATE waits for the lock up front, so a transaction
  // either gets it or fails before it has done anything.
  if (sql === 'begin') return statement(db.prepare('begin immediate'));
  // After SQLITE_FULL or an I/O error SQLite may already have rolled the transaction back; the
  // ROLLBACK Kysely then sends would fail and hide the error that explains what happened.
  if (sql === 'rollback' && !db.isTransaction) return NOTHING;
  return statement(db.prepare(sql));
}

function statement(stmt: StatementSync): SqliteStatement {
  return {
    reader: stmt.columns().length > 0,
    all: (parameters) => stmt.all(...toInputs(parameters)).map(plainRow),
    run: (parameters) => stmt.run(...toInputs(parameters)),
    iterate: (parameters) => rows(stmt.iterate(...toInputs(parameters))),
  };
}

function* rows(iterator: Iterable<unknown>): IterableIterator<unknown> {
  for (const row of iterator) yield plainRow(row);
}

/** node:sqlite rows have a null prototype; everything downstream expects ordinary objects. */
function plainRow(row: unknown): unknown {
  return typeof row === 'object' && row !== null ? { ...row } : row;
}

/**
 * node:sqlite binds positional values as arguments, and has no boolean or undefined. mend keeps
 * no blobs (JSON is text), so anything else is a bug worth a clear error.
 */
function toInputs(parameters: ReadonlyArray<unknown>): SQLInputValue[] {
  return parameters.map((value) => {
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
      return value;
    }
    throw new TypeError(`cannot bind a ${typeof value} to an SQLite parameter`);
  });
}
