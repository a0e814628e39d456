import { existsSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import { isPostgresUrl } from '../store/postgres-url.ts';
import type { NewOperatorRequest, Store } from '../store/store.ts';
import { StartError } from '../support/start-error.ts';
import { terminalBlock } from '../support/terminal-text.ts';
import { cliUserActor } from './options.ts';

// The config loader and the store are loaded by the commands that use them, not by `mend` itself:
// `mend --help` or `mend approve` should not pay for the probe kinds or the SQLite driver.

/** The config a command needs, or a StartError carrying every config error. */
export async function configOrFail(paths: string[]): Promise<Config> {
  const [{ loadMendConfig }, { formatErrors }] = await Promise.all([
    import('../documents.ts'),
    import('../config/config-error.ts'),
  ]);
  const loaded = await loadMendConfig(paths);
  if (!loaded.config) throw new StartError(formatErrors(loaded.errors, loaded.moreErrors));
  return loaded.config;
}

/** Open the store for a command; a store that cannot be opened is a StartError with its reason. */
export async function storeOrFail(path: string): Promise<Store> {
  const { openStore } = await import('../store/open.ts');
  try {
    return await openStore({ path });
  } catch (err) {
    throw new StartError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * Run `body` on the store at `path`, which must exist: reading a mistyped path would create an
 * empty store and report "no incidents", which is wrong in a way nobody notices.
 */
export async function withRecordedStore(
  path: string,
  body: (store: Store) => Promise<void>,
): Promise<void> {
  // A PostgreSQL database is there or not for the server to say; opening it says which.
  if (!isPostgresUrl(path) && !existsSync(path)) {
    throw new StartError(`no store at ${path} (give the --db that \`mend run\` uses)`);
  }
  const store = await storeOrFail(path);
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

/** Run a command body, turning StartErrors into one line on stderr and exit code 1. */
export async function reportingFailures(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof StartError)) throw err;
    process.stderr.write(`mend: ${terminalBlock(err.message)}\n`);
    process.exitCode = 1;
  }
}

/** An operator request as a command asks it: mend adds when and who (the OS user). */
export type OperatorAsk = NewOperatorRequest extends infer R
  ? R extends NewOperatorRequest
    ? Omit<R, 'at' | 'actor'>
    : never
  : never;

/** How long a command waits for the running mend to apply its request (it polls every second). */
const REQUEST_WAIT_MS = 5000;

/**
 * Send an operator request from the command line, as the OS user who runs it (audited so), to
 * the store at `db`, and report what the running mend did with it (see requestAndReport).
 */
export async function sendOperatorRequest(
  db: string,
  ask: OperatorAsk,
  what: string,
  wait: boolean,
): Promise<void> {
  const store = await storeOrFail(db);
  try {
    const request = { ...ask, at: Date.now(), actor: cliUserActor() } as NewOperatorRequest;
    await requestAndReport(store, request, what, wait ? REQUEST_WAIT_MS : 0);
  } finally {
    await store.close();
  }
}

/**
 * Queue an operator request for the running mend and wait (up to `waitMs`) to hear what became of
 * it: applied, rejected with the reason, or still pending (no mend running on this store?).
 */
export async function requestAndReport(
  store: Store,
  request: Parameters<Store['addOperatorRequest']>[0],
  what: string,
  waitMs: number,
): Promise<void> {
  const { id } = await store.addOperatorRequest(request);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const current = await store.getOperatorRequest(id);
    if (current?.status === 'applied') {
      process.stdout.write(`${what}: applied (request ${id}, audited)\n`);
      return;
    }
    if (current?.status === 'rejected') {
      throw new StartError(
        `${what}: rejected: ${current.detail ?? 'no reason given'} (request ${id})`,
      );
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  process.stdout.write(
    `${what}: recorded (request ${id}, audited), not applied yet: is \`mend run\` running on this store? It applies pending requests when it starts.\n`,
  );
}
