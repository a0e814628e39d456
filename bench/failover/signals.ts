import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecisionLoop } from '../../src/decisions/decision-loop.ts';
import { loadMendConfig } from '../../src/documents.ts';
import { fingerprint, type Signal } from '../../src/signals/signal.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { openKyselyStore } from '../../src/store/open.ts';
import { createLogger } from '../../src/support/log.ts';

/** Signals recorded per second by one store, through the decision loop as `mend run` records them. */
export interface SignalRate {
  store: string;
  signals: number;
  seconds: number;
  perSecond: number;
}

/**
 * Feeds `count` signals (firing, then resolved, over `services` services with no policy) to a
 * decision loop on the store, one at a time as the signal queue hands them over, each recorded
 * with its input, decision and incident changes in one transaction before the next. `fenced`:
 * as a replica leader records them, each write checking the lease's epoch in its transaction.
 */
export async function signalRate(options: {
  name: string;
  path: string;
  services: number;
  count: number;
  fenced?: boolean;
}): Promise<SignalRate> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-signal-rate-'));
  const file = join(dir, 'mend.yaml');
  await writeFile(
    file,
    Array.from(
      { length: options.services },
      (_, i) =>
        `apiVersion: mend/v1\nkind: Service\nmetadata: { name: s${i} }\nspec:\n  checks:\n    - name: live\n      http: { url: "http://127.0.0.1:9/" }\n`,
    ).join('---\n'),
  );
  const loaded = await loadMendConfig([file]);
  if (!loaded.config) throw new Error('bench config did not load');
  let store: KyselyStore = await openKyselyStore({ path: options.path });
  const base = store;
  if (options.fenced) {
    const won = await store.replicas().campaign('bench', 60_000);
    if (won === undefined) throw new Error('bench: the lease is held');
    store = store.fenced({ epoch: won.epoch, refused: () => {} });
  }
  const log = createLogger({ level: 'error' });
  const loop = await DecisionLoop.open({
    config: loaded.config,
    store,
    log,
    actions: { dispatch: async () => undefined },
    snapshotEvery: 1_000_000,
  });
  const started = performance.now();
  for (let i = 0; i < options.count; i++) {
    const service = `s${i % options.services}`;
    const status = Math.floor(i / options.services) % 2 === 0 ? 'firing' : 'resolved';
    await loop.consume(signalOf(service, status, Date.now()));
  }
  const seconds = (performance.now() - started) / 1000;
  await loop.stop();
  await base.close();
  await rm(dir, { recursive: true, force: true });
  return {
    store: options.name,
    signals: options.count,
    seconds,
    perSecond: options.count / seconds,
  };
}

function signalOf(service: string, status: 'firing' | 'resolved', at: number): Signal {
  const identity = { source: 'probe', service, check: 'live' };
  return {
    fingerprint: fingerprint(identity),
    source: 'probe',
    service,
    check: 'live',
    labels: { ...identity, role: 'liveness' },
    status,
    startsAt: at,
    at,
    summary: status === 'firing' ? '2 consecutive failures: bench' : '1 consecutive success',
    evidence: [{ startedAt: at, durationMs: 1.5, ok: status === 'resolved', error: 'bench' }],
  };
}
