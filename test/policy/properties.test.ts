import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createEngine } from '../../src/policy/index.ts';
import { BY_HAND } from '../../src/policy/inputs/on-runbook-run.ts';
import type { HealCommand, Input } from '../../src/policy/types.ts';
import { play, steps, type World, worldConfig, worlds } from './simulate.ts';

/**
 * Safety properties over random worlds and random input sequences. The checks use their own
 * model of the world (which signals fire), not the engine's bookkeeping, so an error in the
 * engine's incremental counts shows up here.
 */

const RUNS = Number(process.env.MEND_PROPERTY_RUNS ?? 150);

interface Model {
  /** fingerprint -> service and the dependencies its evidence named. */
  firing: Map<string, { service: string; named: string[] }>;
  inFlight: Map<string, HealCommand>;
  /** `${service}/${runbook}` -> heal times. */
  history: Map<string, number[]>;
}

function apply(model: Model, input: Input): void {
  if (input.kind === 'signal') {
    const { signal } = input;
    if (signal.status === 'firing' && !model.firing.has(signal.fingerprint)) {
      const named = (signal.evidence.at(-1)?.dependencies ?? []).map((d) => d.name);
      model.firing.set(signal.fingerprint, { service: signal.service, named });
    }
    if (signal.status === 'resolved') model.firing.delete(signal.fingerprint);
  }
  if (input.kind === 'outcome') model.inFlight.delete(input.commandId);
  if (input.kind === 'breakerReset') {
    for (const key of model.history.keys())
      if (key.startsWith(`${input.service}/`)) model.history.delete(key);
  }
}

const unhealthy = (model: Model, service: string) =>
  [...model.firing.values()].some((signal) => signal.service === service);

function checkHeal(world: World, model: Model, heal: HealCommand): void {
  if (heal.policy === BY_HAND) {
    checkRunByHand(world, model, heal);
    return;
  }
  const policy = world.policies[heal.policy]! as Record<string, unknown>;
  const service = world.services.find((s) => s.name === heal.service)!;
  assert.ok(unhealthy(model, heal.service), `heal of ${heal.service}, which has no firing signal`);
  // Never more heals per window than maxAttempts, per (service, runbook).
  const key = `${heal.service}/${heal.runbook}`;
  const windowMs = Number(String(policy.window).slice(0, -1)) * 60_000;
  const times = [...(model.history.get(key) ?? []), heal.attempt >= 0 ? at(heal) : 0];
  model.history.set(key, times);
  const recent = times.filter((t) => t > at(heal) - windowMs).length;
  assert.ok(
    recent <= (policy.maxAttempts as number),
    `${recent} heals of ${key} within ${policy.window}, max ${policy.maxAttempts}`,
  );
  // Never two on one service; never more in flight than maxConcurrent.
  for (const other of model.inFlight.values()) {
    assert.notEqual(other.service, heal.service, `two heals in flight on ${heal.service}`);
  }
  model.inFlight.set(heal.id, heal);
  const global = world.settings.maxConcurrent as number | undefined;
  if (global !== undefined)
    assert.ok(
      model.inFlight.size <= global,
      `${model.inFlight.size} in flight, global max ${global}`,
    );
  const own = [...model.inFlight.values()].filter((h) => h.policy === heal.policy).length;
  if (policy.maxConcurrent !== undefined) {
    assert.ok(
      own <= (policy.maxConcurrent as number),
      `${own} in flight for ${heal.policy}, max ${policy.maxConcurrent}`,
    );
  }
  // Never a heal of a service whose dependency (configured, or named in its evidence) is down.
  const named = [...model.firing.values()]
    .filter((s) => s.service === heal.service)
    .flatMap((s) => s.named);
  for (const dependency of [...service.dependsOn, ...named]) {
    if (dependency === heal.service) continue;
    assert.ok(
      !unhealthy(model, dependency),
      `healed ${heal.service} while its dependency ${dependency} is down`,
    );
  }
  // Never a heal above maxUnhealthy (counted as the engine documents: unhealthy, dependencies healthy).
  if (policy.maxUnhealthy !== undefined) {
    const selected = world.services.filter((s) => heal.policy === 'restart' || s.tier === 'b');
    const max = policy.maxUnhealthy;
    const limit =
      typeof max === 'number'
        ? max
        : Math.floor((selected.length * Number(String(max).slice(0, -1))) / 100);
    const counted = selected.filter(
      (s) => unhealthy(model, s.name) && !s.dependsOn.some((d) => unhealthy(model, d)),
    ).length;
    assert.ok(counted <= limit, `healed with ${counted} unhealthy, maxUnhealthy ${max} (${limit})`);
  }
}

/** A person decided a run by hand: no budget or health applies; one heal per service does. */
function checkRunByHand(world: World, model: Model, heal: HealCommand): void {
  for (const other of model.inFlight.values()) {
    assert.notEqual(other.service, heal.service, `two heals in flight on ${heal.service}`);
  }
  assert.equal(heal.actor, 'tester', 'a run by hand carries who asked');
  model.inFlight.set(heal.id, heal);
  const global = world.settings.maxConcurrent as number | undefined;
  if (global !== undefined) {
    // The global limit counts runs by hand but does not refuse them: a person decided.
    const engineHeals = [...model.inFlight.values()].filter((h) => h.policy !== BY_HAND).length;
    assert.ok(engineHeals <= global, `${engineHeals} engine heals in flight, global max ${global}`);
  }
}

// The heal's time is the decision's; kept on the side while checking one decision.
let now = 0;
const at = (_heal: HealCommand) => now;

test('guardrails hold on every heal: budget, concurrency, dependencies, blast radius', () => {
  // Counted across all runs, to know the property does not hold vacuously.
  const seen = new Map<string, number>();
  fc.assert(
    fc.property(worlds, steps, (world, list) => {
      const model: Model = { firing: new Map(), inFlight: new Map(), history: new Map() };
      play(world, list, (input, decision) => {
        now = input.at;
        apply(model, input);
        for (const reason of decision.reasons)
          seen.set(reason.code, (seen.get(reason.code) ?? 0) + 1);
        for (const command of decision.commands) {
          if (command.kind === 'heal') checkHeal(world, model, command);
          if (command.kind === 'page' && !command.id.startsWith('blast:')) {
            assert.match(command.id, /:page:1$/, 'an incident is paged at most once');
          }
        }
      });
    }),
    { numRuns: RUNS },
  );
  for (const code of [
    'heal',
    'breaker-open',
    'cooldown',
    'dependency',
    'blast-radius',
    'concurrency',
    'runbook-run',
    'runbook-run-ended',
  ]) {
    assert.ok(
      (seen.get(code) ?? 0) > 0,
      `no ${code} decision in ${RUNS} runs: the generators miss it`,
    );
  }
  assert.ok(seen.get('heal')! > RUNS, 'too few heals to say much');
});

test('the same inputs give the same outputs', () => {
  fc.assert(
    fc.property(worlds, steps, (world, list) => {
      assert.deepStrictEqual(play(world, list), play(world, list));
    }),
    { numRuns: RUNS / 3 },
  );
});

test('a state rebuilt from JSON decides exactly like the original, which decide never changes', () => {
  fc.assert(
    fc.property(worlds, steps, (world, list) => {
      const engine = createEngine(worldConfig(world));
      play(world, list, (input, decision, before) => {
        const snapshot = JSON.stringify(before);
        const rebuilt = JSON.parse(snapshot);
        // Plain JSON: no Maps, classes or undefined fields hide in the state.
        assert.deepStrictEqual(rebuilt, before);
        const again = engine.decide(rebuilt, input, input.at);
        assert.deepStrictEqual(again.commands, decision.commands);
        assert.deepStrictEqual(again.events, decision.events);
        assert.deepStrictEqual(again.reasons, decision.reasons);
        assert.equal(JSON.stringify(again.state), JSON.stringify(decision.state));
        // The previous state is left as it was (the shell may keep it).
        assert.equal(JSON.stringify(before), snapshot);
      });
    }),
    { numRuns: RUNS / 3 },
  );
});

test('every decision says why: each heal, page and hold carries a reason with a message', () => {
  fc.assert(
    fc.property(worlds, steps, (world, list) => {
      play(world, list, (_input, decision) => {
        for (const event of decision.events) {
          if (event.type !== 'decision') continue;
          assert.ok(event.reason.message.length > 0);
          assert.ok(
            decision.reasons.includes(event.reason),
            'the event’s reason is among the decision’s reasons',
          );
        }
        for (const command of decision.commands) {
          if (command.kind === 'heal') {
            assert.ok(
              decision.events.some(
                (e) => e.type === 'decision' && e.commandIds.includes(command.id),
              ),
            );
          }
        }
      });
    }),
    { numRuns: RUNS / 3 },
  );
});
