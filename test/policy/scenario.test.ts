import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Input } from '../../src/policy/index.ts';
import { firing, makeConfig, outcome, resolved, run, T0, tick } from './helpers.ts';

/**
 * The database outage: 200 services all depend on db; db fails and every dependent's check fires
 * within about a second of it (some before it). mend must heal db alone, page at most once, and
 * say on every dependent's incident that it waits for db.
 */
const DEPENDENTS = 200;
const names = Array.from({ length: DEPENDENTS }, (_, i) => `svc-${String(i).padStart(3, '0')}`);

const config = makeConfig({
  services: [{ name: 'db' }, ...names.map((name) => ({ name, dependsOn: ['db'] }))],
  policies: {
    restart: {
      for: '10s',
      heal: { runbook: 'restart' },
      escalate: { notifiers: ['oncall'] },
      maxUnhealthy: '10%',
    },
  },
});

/** A fixed shuffle of arrival offsets in [-800 ms, +1200 ms] around db's failure. */
function offsets(): number[] {
  let seed = 42;
  return names.map(() => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed % 2000) - 800;
  });
}

function outage(dependentsRecover: boolean): Input[] {
  const dbAt = T0 + 1000;
  const arrivals = names.map((name, i) => firing(name, dbAt + offsets()[i]!));
  const inputs: Input[] = [...arrivals, firing('db', dbAt)].sort((a, b) => a.at - b.at);
  const healAt = dbAt + 10_000;
  for (let at = T0; at <= healAt; at += 1000) inputs.push(tick(at));
  inputs.push(outcome('inc-0:placeholder', healAt + 5000, 'succeeded'));
  inputs.push(resolved('db', healAt + 8000));
  if (dependentsRecover) {
    const recovery = offsets().map((offset) => (((offset % 900) + 900) % 900) + 200);
    names.forEach((name, i) => {
      inputs.push(resolved(name, healAt + 8000 + recovery[i]!));
    });
  }
  for (let at = healAt + 8000; at <= healAt + 60_000; at += 1000) inputs.push(tick(at));
  return inputs.sort((a, b) => a.at - b.at);
}

/** Run, putting the real heal id into the outcome once the heal is known. */
function play(dependentsRecover: boolean) {
  const inputs = outage(dependentsRecover);
  const first = run(
    config,
    inputs.filter((input) => input.kind !== 'outcome'),
  );
  const heal = first.commands.find((c) => c.kind === 'heal');
  assert.ok(heal && heal.kind === 'heal');
  return run(
    config,
    inputs.map((input) => (input.kind === 'outcome' ? { ...input, commandId: heal.id } : input)),
  );
}

test('200 dependents of a failing db: one heal (db), no page, every dependent names db', () => {
  const { commands, events, reasons } = play(true);
  const heals = commands.filter((c) => c.kind === 'heal');
  assert.deepEqual(
    heals.map((h) => h.kind === 'heal' && h.service),
    ['db'],
  );
  // At most one page is allowed; here db heals at once, so nobody needs paging at all.
  assert.equal(commands.filter((c) => c.kind === 'page').length, 0);
  const dbIncident = events.find((e) => e.type === 'opened' && e.service === 'db')!.incidentId;
  const dependentIncidents = events.filter((e) => e.type === 'opened' && e.service !== 'db');
  assert.equal(dependentIncidents.length, DEPENDENTS);
  for (const opened of dependentIncidents) {
    const linked = events.find((e) => e.type === 'linked' && e.incidentId === opened.incidentId);
    assert.ok(linked && linked.type === 'linked', `${opened.incidentId} is not linked to db`);
    assert.equal(linked.rootIncidentId, dbIncident);
    assert.equal(linked.dependency, 'db');
    assert.match(
      linked.reason.message,
      /held: dependency db is unhealthy \(incident inc-\d+\): healing db first \(policy restart\), not svc-\d{3}/,
    );
  }
  // Every dependent recovered with db: each incident closed, resolved on its own.
  const closed = events.filter((e) => e.type === 'resolved');
  assert.equal(closed.length, DEPENDENTS + 1);
  assert.ok(reasons.some((r) => r.code === 'dependency-recovered'));
});

test('dependents still failing after db recovers are judged afresh: above maxUnhealthy, one group page', () => {
  const { commands, reasons } = play(false);
  const heals = commands.filter((c) => c.kind === 'heal');
  assert.equal(heals.length, 1, 'db only');
  const pages = commands.filter((c) => c.kind === 'page');
  assert.equal(pages.length, 1);
  assert.match(pages[0]!.kind === 'page' ? pages[0]!.id : '', /^blast:restart:1$/);
  const held = reasons.filter((r) => r.code === 'blast-radius');
  assert.equal(
    new Set(held.map((r) => r.incidentId)).size,
    DEPENDENTS,
    'said on every held incident',
  );
  assert.match(
    held[0]!.message,
    /200 of 201 services selected by policy restart are unhealthy, above maxUnhealthy 10% \(20\)/,
  );
});
