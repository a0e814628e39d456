import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { incidentFigures } from '../../src/incidents/figures.ts';
import { loadIncidentRecords } from '../../src/incidents/load.ts';
import { mentions } from '../../src/incidents/record.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { buildScenario, T0 } from './scenario.ts';

let dir: string;
let store: Store;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-incidents-load-'));
  const { db } = await buildScenario(dir);
  store = await openStore({ path: db });
});
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('a record holds its own decisions, signals, commands and journal, and nothing else', async () => {
  const incidents = await store.listIncidents({});
  const records = await loadIncidentRecords(store, incidents, { journal: true });
  assert.deepEqual(
    records.map((r) => r.incident.id),
    ['inc-1', 'inc-2', 'inc-3', 'inc-4', 'inc-5'],
  );
  for (const record of records) {
    assert.ok(record.decisions.length > 0);
    assert.ok(record.decisions.every((d) => mentions(d, record.incident.id)));
    assert.ok(record.signals.every((s) => s.service === record.incident.service));
  }
  const [first] = records;
  assert.deepEqual(
    first!.signals.map((s) => s.status),
    ['firing', 'resolved'],
  );
  assert.deepEqual(
    first!.commands.map((c) => [c.id, c.status]),
    [['inc-1:heal:1', 'succeeded']],
  );
  assert.deepEqual(Object.keys(first!.journal), ['inc-1:heal:1']);
  assert.equal(first!.journal['inc-1:heal:1']!.length, 6);
  // Loading one record alone gives the same figures as loading all of them together.
  const [alone] = await loadIncidentRecords(store, [incidents[2]!], { journal: false });
  assert.deepEqual(incidentFigures(alone!), incidentFigures(records[2]!));
  assert.equal(incidentFigures(alone!).lead?.startsAt, T0 + 120_000);
});
