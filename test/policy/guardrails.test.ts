import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Config } from '../../src/config/config.ts';
import type { CompiledPolicies } from '../../src/policy/compile.ts';
import { Draft } from '../../src/policy/draft.ts';
import { GUARDRAILS } from '../../src/policy/guardrails/order.ts';
import { createEngine, type EngineState, openIncidents } from '../../src/policy/index.ts';
import { applyRuling } from '../../src/policy/judge/apply.ts';
import { heal } from '../../src/policy/judge/heal.ts';
import { SETTLED } from '../../src/policy/judge/judge.ts';
import { judging } from '../../src/policy/judge/judging.ts';
import type { Gate } from '../../src/policy/judge/ruling.ts';
import { incidentOf } from '../../src/policy/state.ts';
import { makeConfig, T0 } from './helpers.ts';
import {
  type Ledger,
  type Step,
  steps,
  toInput,
  updateLedger,
  type World,
  worlds,
} from './simulate.ts';

/**
 * Guardrails only read and rule; judge/apply.ts alone changes state. Checked the hard way: every
 * open incident of random worlds goes through the pipeline as `judge` takes it, and around each
 * guardrail everything the decision could have changed is compared before and after.
 */

const RUNS = Number(process.env.MEND_PROPERTY_RUNS ?? 150);

/** The simulation's worlds, plus a ladder, page and observe policies, modes and a silence. */
const richWorlds = fc
  .record({ world: worlds, mode: fc.constantFrom({}, { shadow: true }, { dryRun: true }) })
  .map(({ world, mode }) => ({
    world,
    config: makeConfig({
      services: world.services.map((s) => ({
        name: s.name,
        dependsOn: s.dependsOn,
        labels: { tier: s.tier },
      })),
      policies: {
        ...world.policies,
        ladder: {
          priority: 7,
          match: { services: { matchers: ['tier="a"'] } },
          ladder: [
            { runbook: 'restart', params: { unit: '{{service.name}}' }, deadline: '1m' },
            { runbook: 'failover', params: { zone: '{{signal.labels.zone}}' }, deadline: '2m' },
          ],
          escalate: { notifiers: ['oncall'] },
          cooldown: '10s',
          count: { atLeast: 2, within: '10m' },
          ...mode,
        },
        pager: { priority: 9, match: { matchers: ['check="ready"'] }, page: { notifiers: ['a'] } },
        watcher: { priority: 8, match: { services: { names: ['s3'] } }, observe: true },
      },
      silences: {
        quiet: {
          matchers: ['service="s1"'],
          startsAt: new Date(T0 + 60_000).toISOString(),
          endsAt: new Date(T0 + 1_800_000).toISOString(),
          comment: 'upgrade',
          createdBy: 'tester',
        },
      },
      settings: world.settings,
    }),
  }));

/** The names of the guardrails that changed anything while judging `incidentId` at `now`. */
function meddlers(
  gates: readonly Gate[],
  compiled: CompiledPolicies,
  state: EngineState,
  now: number,
  service: string,
  incidentId: string,
): string[] {
  const d = new Draft(compiled, state, now);
  const svc = d.service(service);
  const inc = incidentOf(svc, incidentId)!;
  if (SETTLED.has(inc.phase)) return [];
  const names = [...compiled.services.keys()];
  const everything = () =>
    JSON.stringify([d.state, names.map((name) => d.peek(name)), d.commands, d.events, d.reasons]);
  const j = judging(d, service, inc);
  const changed: string[] = [];
  const ask = (name: string, rule: () => ReturnType<Gate>) => {
    const before = everything();
    const ruling = rule();
    if (everything() !== before) changed.push(name);
    return ruling;
  };
  for (const gate of gates) {
    const ruling = ask(gate.name, () => gate(j));
    if (ruling === null) continue;
    applyRuling(d, svc, inc, ruling);
    if (ruling.kind === 'block') return changed;
  }
  ask('heal', () => heal(j));
  return changed;
}

/** Play the steps; after each decision, judge every open incident then and a little later. */
function meddlersOver(gates: readonly Gate[], world: World, config: Config, list: Step[]) {
  const engine = createEngine(config);
  let state = engine.initialState();
  let at = T0;
  const ledger: Ledger = { inFlight: [], approvals: [] };
  const found = new Set<string>();
  for (const step of list) {
    at += step.gap;
    const input = toInput(world, step, at, ledger);
    const decision = engine.decide(state, input, at);
    updateLedger(ledger, input, decision.commands);
    state = decision.state;
    for (const later of [0, 600_000]) {
      for (const { service, id } of openIncidents(state)) {
        for (const name of meddlers(gates, engine.compiled, state, at + later, service, id))
          found.add(name);
      }
    }
  }
  return found;
}

test('no guardrail changes anything: each only returns a ruling', () => {
  fc.assert(
    fc.property(richWorlds, steps, ({ world, config }, list) => {
      assert.deepEqual([...meddlersOver(GUARDRAILS, world, config, list)], []);
    }),
    { numRuns: Math.ceil(RUNS / 5) },
  );
});

test('the check sees a guardrail that changes something (negative control)', () => {
  const meddling: Gate = (j) => {
    (j.inc.pages as string[]).push('meddled');
    return null;
  };
  let caught = 0;
  fc.assert(
    fc.property(richWorlds, steps, ({ world, config }, list) => {
      if (meddlersOver([meddling, ...GUARDRAILS], world, config, list).has('meddling')) caught++;
    }),
    { numRuns: 20 },
  );
  assert.ok(caught > 0, 'the meddling guardrail was never caught');
});

test('the guardrails are asked in the order docs/policies.md gives', () => {
  assert.deepEqual(
    GUARDRAILS.map((gate) => gate.name),
    [
      'silence',
      'dependency',
      'noPolicy',
      'forDuration',
      'count',
      'blastRadius',
      'action',
      'ladder',
      'onePerService',
      // After a failed attempt the breaker is asked before the cooldown, otherwise after it.
      'breakerAfterFailure',
      'cooldown',
      'breakerAfterSuccess',
      'concurrency',
      'params',
      'dryRun',
      'approval',
    ],
  );
});
