import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ActionPort } from '../../src/decisions/action-port.ts';
import { DecisionLoop } from '../../src/decisions/decision-loop.ts';
import { loadMendConfig } from '../../src/documents.ts';
import type { IncidentTreeNode } from '../../src/incidents/links.ts';
import { loadIncidentTree } from '../../src/incidents/load-tree.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { createLogger } from '../../src/support/log.ts';
import { probeSignal, T0 } from './scenario.ts';

/**
 * Three services in a line, worker -> api -> db, each healed by its own policy, recorded by the
 * real decision loop into a real store: db fails, then api, then worker; api is held by db's
 * incident and worker by api's. db recovers (api and worker are unlinked and resolve with it);
 * later cache fails on its own.
 */
const CONFIG = `apiVersion: mend/v1
kind: Service
metadata: { name: db }
spec: { checks: [{ name: live, tcp: { port: 1 } }] }
---
apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec: { dependsOn: [db], checks: [{ name: live, tcp: { port: 2 } }] }
---
apiVersion: mend/v1
kind: Service
metadata: { name: worker }
spec: { dependsOn: [api], checks: [{ name: live, tcp: { port: 3 } }] }
---
apiVersion: mend/v1
kind: Service
metadata: { name: cache }
spec: { checks: [{ name: live, tcp: { port: 4 } }] }
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart }
spec:
  for: 0s
  heal: { runbook: restart }
`;

let dir: string;
let store: Store;

/** Heals are dispatched and never report: the incidents stay open until their signals resolve. */
const actions: ActionPort = { dispatch: async () => undefined };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-incident-tree-'));
  const file = join(dir, 'mend.yaml');
  await writeFile(file, CONFIG);
  const loaded = await loadMendConfig([file]);
  if (!loaded.config) throw new Error(loaded.errors.map((e) => e.format()).join('\n'));
  store = await openStore({ path: join(dir, 'mend.db') });
  let clock = T0;
  const loop = await DecisionLoop.open({
    config: loaded.config,
    store,
    actions,
    log: createLogger({ level: 'silent', pretty: false }),
    now: () => clock,
    operatorPollMs: 3_600_000,
  });
  const signal = async (service: string, status: 'firing' | 'resolved', ms: number) => {
    clock = T0 + ms;
    await loop.consume(probeSignal(service, status, clock));
  };
  try {
    await signal('db', 'firing', 1000);
    await signal('api', 'firing', 2000);
    await signal('worker', 'firing', 3000);
    await signal('db', 'resolved', 10_000);
    await signal('api', 'resolved', 11_000);
    await signal('worker', 'resolved', 12_000);
    await signal('cache', 'firing', 20_000);
    await loop.submit({ kind: 'tick', at: clock });
  } finally {
    await loop.stop();
  }
});
after(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const shape = (node: IncidentTreeNode): unknown => ({
  [`${node.id} ${node.service}${node.held ? ` via ${node.held.dependency}` : ''}`]:
    node.dependents.map(shape),
});

test('the tree from the top: db holds api, api holds worker, from whichever incident is asked', async () => {
  const incidents = await store.listIncidents({});
  const id = (service: string) => incidents.find((i) => i.service === service)!.id;
  for (const asked of ['db', 'api', 'worker']) {
    const tree = await loadIncidentTree(store, id(asked));
    assert.ok(tree, asked);
    assert.equal(tree.focus, id(asked));
    assert.equal(tree.size, 3);
    assert.equal(tree.truncated, false);
    assert.deepEqual(shape(tree.top), {
      [`${id('db')} db`]: [
        { [`${id('api')} api via db`]: [{ [`${id('worker')} worker via api`]: [] }] },
      ],
    });
  }
  const tree = await loadIncidentTree(store, id('api'));
  const api = tree!.top.dependents[0]!;
  // Held from its first link until db recovered (unlinked), in the engine's clock.
  assert.equal(api.held?.since, T0 + 2000);
  assert.ok(api.held?.until !== null && api.held!.until! >= T0 + 10_000, JSON.stringify(api.held));
});

test('an incident nothing holds and that holds nothing is a tree of one; an unknown id, none', async () => {
  const incidents = await store.listIncidents({});
  const cache = incidents.find((i) => i.service === 'cache')!;
  const tree = await loadIncidentTree(store, cache.id);
  assert.deepEqual(shape(tree!.top), { [`${cache.id} cache`]: [] });
  assert.equal(tree!.top.status, 'open');
  assert.equal(await loadIncidentTree(store, 'inc-999'), undefined);
});
