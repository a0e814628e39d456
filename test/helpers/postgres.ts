import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL every machine runs for the tests (CI included): 127.0.0.1:5432, trust auth,
 * user postgres, database `test`. Each test gets a schema of its own with a random name, dropped
 * at the end, so test files running in parallel never meet; nothing else in the database is
 * touched.
 */
export const TEST_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<void> | undefined;

/**
 * Fails at once, saying what is missing, when the test PostgreSQL does not answer (instead of
 * each test hanging on a connection).
 */
export function requirePostgres(): Promise<void> {
  reachable ??= (async () => {
    const client = new pg.Client({
      connectionString: TEST_POSTGRES,
      connectionTimeoutMillis: 5000,
    });
    try {
      await client.connect();
      await client.query('select 1');
    } catch (error) {
      throw new Error(
        `the PostgreSQL tests need PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres, database test), and it did not answer: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

/** A schema of its own in the test database, and the store URL that selects it. */
export interface TestSchema {
  name: string;
  /** `postgres://...?options=-c search_path=NAME`: a mend store in this schema. */
  url: string;
  /** One statement (or several) on a connection of its own, in this schema. */
  query(statement: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Drops the schema with everything in it. */
  drop(): Promise<void>;
}

export async function createTestSchema(): Promise<TestSchema> {
  await requirePostgres();
  const name = `mend_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create schema ${name}`);
  const url = schemaUrl(name);
  return {
    name,
    url,
    async query(statement, values) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        const result = await client.query(statement, values);
        const last = Array.isArray(result) ? result.at(-1) : result;
        return (last?.rows ?? []).map((row: Record<string, unknown>) => ({ ...row }));
      } finally {
        await client.end();
      }
    },
    async drop() {
      await adminQuery(`drop schema if exists ${name} cascade`);
    },
  };
}

/**
 * A database of its own on the test PostgreSQL (for real `mend run` processes, which connect
 * with the URL as it is), dropped at the end with whatever still connects to it.
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  await requirePostgres();
  const name = `mend_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  return {
    url: TEST_POSTGRES.replace(/\/test$/, `/${name}`),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

/** The store URL for a schema of the test database. */
export function schemaUrl(schema: string): string {
  return `${TEST_POSTGRES}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
