import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OperatorRequests } from '../../src/decisions/operator-requests.ts';
import { initialState } from '../../src/policy/index.ts';
import { createLogger } from '../../src/support/log.ts';
import { policy, workspace } from './fixtures.ts';

test('polls never overlap: a request taken by one poll is not applied again by another', async () => {
  const ws = await workspace();
  const store = await ws.store();
  try {
    const config = await ws.config(policy());
    await store.addOperatorRequest({
      at: 1,
      actor: 'cli:test',
      kind: 'breakerReset',
      payload: { service: 'api' },
    });
    const submitted: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const requests = new OperatorRequests({
      store,
      log: createLogger({ level: 'silent' }),
      now: () => 2,
      pollMs: 60_000,
      current: () => ({ state: initialState(), config }),
      // The first submit is slow: while it runs the request is still pending in the store.
      submit: async (_input, id) => {
        submitted.push(id);
        await held;
        await store.rejectOperatorRequest(id, { at: 3, detail: 'settled by the test' });
      },
    });
    const first = requests.pollNow();
    const second = requests.pollNow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await Promise.all([first, second]);
    assert.deepEqual(submitted, [1]);
    assert.equal((await store.getOperatorRequest(1))?.status, 'rejected');
  } finally {
    await store.close();
    await ws.cleanup();
  }
});
