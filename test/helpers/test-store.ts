import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { createTestSchema, requirePostgres } from './postgres.ts';

/** Where one test's store lives, as `--db` names it, and how to remove it afterwards. */
export interface StoreLocation {
  path: string;
  remove(): Promise<void>;
}

/** True when the tests of this process run on PostgreSQL (runOnPostgres sets it). */
export const onPostgres = process.env.MEND_TEST_STORE === 'postgres';

/**
 * A store location for one test: an SQLite file in `dir`, or with MEND_TEST_STORE=postgres (as
 * runOnPostgres runs test files) a schema of the test PostgreSQL of its own. Opening it twice
 * opens the same store, as a restart does.
 */
export async function storeLocation(dir: string): Promise<StoreLocation> {
  if (!onPostgres) return { path: join(dir, 'mend.db'), remove: async () => {} };
  const schema = await createTestSchema();
  return { path: schema.url, remove: () => schema.drop() };
}

/** A store for one test at a fresh location, removed when the store is closed. */
export async function tempStore(dir: string): Promise<Store> {
  const location = await storeLocation(dir);
  const store = await openStore({ path: location.path }).catch(async (error: unknown) => {
    await location.remove();
    throw error;
  });
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await location.remove();
  };
  return store;
}

/**
 * Runs test files again with every store they make through this module on PostgreSQL: the same
 * behaviour on both stores, shown by the same tests rather than by copies of them. Resolves with
 * the output; fails unless every test passed and some ran.
 */
export async function runOnPostgres(files: readonly string[]): Promise<string> {
  await requirePostgres();
  // Without NODE_TEST_CONTEXT, or node --test would see itself nested and run nothing.
  const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
  const child = spawn(process.execPath, ['--test', ...files], {
    env: { ...env, MEND_TEST_STORE: 'postgres' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0 || !/^ℹ fail 0$/m.test(output) || /^ℹ pass 0$/m.test(output)) {
    throw new Error(`on PostgreSQL, ${files.join(' ')} exited ${code}:\n${output}`);
  }
  return output;
}
