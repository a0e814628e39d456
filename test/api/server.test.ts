import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer } from '../../src/api/server.ts';
import type { ControllerHandle } from '../../src/controller-handle.ts';
import { createLogger } from '../../src/support/log.ts';
import { createMetrics } from '../../src/support/metrics.ts';

function handle(store: { up: boolean }): ControllerHandle {
  return {
    metrics: createMetrics(),
    log: createLogger({ level: 'silent' }),
    pingStore: async () => {
      if (!store.up) throw new Error('store /x/mend.db is closed');
    },
    schedulerStats: async () => ({
      checks: 0,
      inFlight: 0,
      waiting: 0,
      probes: 0,
      overlapsSkipped: 0,
      slotsMissed: 0,
      inFlightLimit: 2000,
    }),
    pendingSignals: () => 0,
  };
}

test('/metrics says whether the store answers at every scrape, without /readyz first', async () => {
  const store = { up: true };
  const app = await createServer(handle(store));
  try {
    const up = await app.inject({ method: 'GET', url: '/metrics' });
    assert.match(up.body, /^mend_store_up 1$/m);
    store.up = false;
    const down = await app.inject({ method: 'GET', url: '/metrics' });
    assert.match(down.body, /^mend_store_up 0$/m);
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().checks.store.output, 'store /x/mend.db is closed');
  } finally {
    await app.close();
  }
});
