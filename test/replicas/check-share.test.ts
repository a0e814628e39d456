import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Config, ServiceConfig } from '../../src/config/config.ts';
import { checkSchema } from '../../src/config/kinds/service.ts';
import { shareCounts, shareOf } from '../../src/replicas/check-share.ts';
import { ownerOf } from '../../src/replicas/rendezvous.ts';
import { probeKinds } from '../../src/signals/probes/registry.ts';

const keys = Array.from({ length: 3000 }, (_, i) => `svc-${i % 300}/check-${i}`);
const members = ['vm-1-a1b2', 'vm-2-c3d4', 'vm-3-e5f6'];

function owners(list: readonly string[]): Map<string, string | undefined> {
  return new Map(keys.map((key) => [key, ownerOf(key, list)]));
}

test('every key has one owner among the members, the same whichever order they are listed in', () => {
  const a = owners(members);
  const b = owners([...members].reverse());
  assert.deepEqual(a, b);
  for (const owner of a.values()) assert.ok(owner !== undefined && members.includes(owner));
  assert.equal(ownerOf('x', []), undefined, 'no members, no owner');
});

test('the shares are even: each of 3 members owns a third of 3000 keys, give or take 4 points', () => {
  const counts = new Map<string, number>();
  for (const owner of owners(members).values()) counts.set(owner!, (counts.get(owner!) ?? 0) + 1);
  for (const member of members) {
    const share = (counts.get(member) ?? 0) / keys.length;
    assert.ok(Math.abs(share - 1 / 3) < 0.04, `${member} owns ${(share * 100).toFixed(1)} %`);
  }
});

test('a member leaving moves its keys only; a member joining takes keys only for itself', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 6 }),
      fc.nat(),
      (list, pick) => {
        const gone = list[pick % list.length]!;
        const before = owners(list);
        const after = owners(list.filter((m) => m !== gone));
        for (const [key, owner] of before) {
          if (owner !== gone)
            assert.equal(after.get(key), owner, `${key} moved though ${owner} stayed`);
        }
        // Joining is the same change read the other way round.
        for (const [key, owner] of after) {
          const was = before.get(key);
          if (was !== owner) assert.equal(was, gone);
        }
      },
    ),
    { numRuns: 30 },
  );
});

function service(name: string, checks: Record<string, unknown>[]): ServiceConfig {
  return {
    name,
    labels: {},
    selector: [],
    events: [],
    dependsOn: [],
    checks: checks.map((c) => checkSchema(probeKinds).parse(c)),
    source: { file: 'test.yaml', line: 1, col: 1 },
  };
}

test('the share of each replica: every check in exactly one; a service with startup checks goes whole', () => {
  const services = Array.from({ length: 40 }, (_, i) =>
    i % 4 === 0
      ? service(`gated-${i}`, [
          { name: 'boot', role: 'startup', tcp: { port: 1 } },
          { name: 'live', tcp: { port: 1 } },
          { name: 'ready', role: 'readiness', tcp: { port: 1 } },
        ])
      : service(`plain-${i}`, [
          { name: 'a', tcp: { port: 1 } },
          { name: 'b', tcp: { port: 1 } },
        ]),
  );
  const config = { services } as unknown as Config;
  const shares = members.map((m) => shareOf(config, members, m));
  for (const [i, svc] of services.entries()) {
    for (const check of svc.checks) {
      const holders = shares.filter((s) =>
        s.services[i]!.checks.some((c) => c.name === check.name),
      );
      assert.equal(holders.length, 1, `${svc.name}/${check.name} in ${holders.length} shares`);
    }
    if (svc.name.startsWith('gated')) {
      const whole = shares.filter((s) => s.services[i]!.checks.length === 3);
      assert.equal(
        whole.length,
        1,
        `${svc.name}: its startup check gates the others, so one replica has all`,
      );
    }
  }
  const counts = shareCounts(config, members);
  assert.equal(
    [...counts.values()].reduce((a, b) => a + b, 0),
    30 + 60,
  );
  assert.deepEqual(
    members.map((m) => counts.get(m)),
    shares.map((s) => s.services.reduce((n, svc) => n + svc.checks.length, 0)),
  );
});
