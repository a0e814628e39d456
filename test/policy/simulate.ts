import fc from 'fast-check';
import type { Config } from '../../src/config/config.ts';
import { createEngine, type EngineState, type Input } from '../../src/policy/index.ts';
import type { Command, Decision, HealCommand } from '../../src/policy/types.ts';
import { makeConfig, T0 } from './helpers.ts';

/**
 * Random worlds for property tests: a few services with dependencies, two heal policies with
 * random guardrails, and random sequences of signals, outcomes, approvals, resets and time.
 */

export interface World {
  services: Array<{ name: string; dependsOn: string[]; tier: string }>;
  policies: Record<string, Record<string, unknown>>;
  settings: Record<string, unknown>;
}

const duration = (maxSeconds: number) =>
  fc.integer({ min: 0, max: maxSeconds }).map((s) => `${s}s`);

const guardrails = fc.record(
  {
    maxAttempts: fc.integer({ min: 1, max: 3 }),
    window: fc.integer({ min: 1, max: 10 }).map((m) => `${m}m`),
    cooldown: duration(60),
    for: duration(20),
    maxConcurrent: fc.integer({ min: 1, max: 3 }),
    onConcurrencyLimit: fc.constantFrom('queue', 'page'),
    maxUnhealthy: fc.oneof(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`),
    ),
    backoff: fc.constant({ max: '5m' }),
    escalate: fc.constant({ notifiers: ['oncall'] }),
  },
  { requiredKeys: ['maxAttempts', 'window', 'cooldown', 'escalate'] },
);

export const worlds: fc.Arbitrary<World> = fc
  .record({
    count: fc.integer({ min: 2, max: 8 }),
    deps: fc.array(fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), {
      minLength: 8,
      maxLength: 8,
    }),
    tiers: fc.array(fc.constantFrom('a', 'b'), { minLength: 8, maxLength: 8 }),
    restart: guardrails,
    failover: guardrails,
    approval: fc.boolean(),
    global: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  })
  .map(({ count, deps, tiers, restart, failover, approval, global }) => {
    const services = Array.from({ length: count }, (_, i) => ({
      name: `s${i}`,
      // Only on services with a lower index: no cycles.
      dependsOn: Array.from({ length: i }, (_, j) => j)
        .filter((j) => deps[i]![j] && j !== i && Math.abs(i - j) <= 2)
        .map((j) => `s${j}`),
      tier: tiers[i]!,
    }));
    return {
      services,
      policies: {
        restart: { heal: { runbook: 'restart' }, ...restart },
        failover: {
          priority: 5,
          match: { services: { matchers: ['tier="b"'] } },
          heal: { runbook: 'failover' },
          ...(approval ? { requireApproval: { expiresAfter: '2m' } } : {}),
          ...failover,
        },
      },
      settings: global === undefined ? {} : { maxConcurrent: global },
    };
  });

export function worldConfig(world: World): Config {
  return makeConfig({
    services: world.services.map((s) => ({
      name: s.name,
      dependsOn: s.dependsOn,
      labels: { tier: s.tier },
    })),
    policies: world.policies,
    settings: world.settings,
  });
}

/** An abstract step, turned into an Input against the current state by `toInput`. */
export type Step =
  | { op: 'fire' | 'resolve'; service: number; check: number; deps: number[]; gap: number }
  | { op: 'outcome'; pick: number; result: 'succeeded' | 'failed' | 'unknown'; gap: number }
  | { op: 'approve' | 'deny'; pick: number; gap: number }
  | { op: 'reset'; service: number; gap: number }
  | { op: 'run'; service: number; gap: number }
  | { op: 'tick'; gap: number };

const gap = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 5_000 }),
  fc.integer({ min: 0, max: 300_000 }),
);

export const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        op: fc.constant('fire' as const),
        service: fc.nat(7),
        check: fc.nat(1),
        deps: fc.array(fc.nat(7), { maxLength: 2 }),
        gap,
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        op: fc.constant('resolve' as const),
        service: fc.nat(7),
        check: fc.nat(1),
        deps: fc.constant<number[]>([]),
        gap,
      }),
    },
    {
      weight: 8,
      arbitrary: fc.record({
        op: fc.constant('outcome' as const),
        pick: fc.nat(5),
        result: fc.constantFrom(
          'succeeded' as const,
          'failed' as const,
          'failed' as const,
          'unknown' as const,
        ),
        gap,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constantFrom('approve' as const, 'deny' as const),
        pick: fc.nat(3),
        gap,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('reset' as const), service: fc.nat(7), gap }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('run' as const), service: fc.nat(7), gap }),
    },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('tick' as const), gap }) },
  ),
  { minLength: 10, maxLength: 150, size: 'large' },
);

/** Heals in flight and approvals pending, as the shell would know them from the commands. */
export interface Ledger {
  inFlight: HealCommand[];
  approvals: string[];
}

export function toInput(world: World, step: Step, at: number, ledger: Ledger): Input {
  const count = world.services.length;
  switch (step.op) {
    case 'fire':
    case 'resolve': {
      const service = `s${step.service % count}`;
      const check = step.check === 0 ? 'live' : 'ready';
      const deps = step.deps.map((d) => `s${d % count}`).filter((d) => d !== service);
      return {
        kind: 'signal',
        at,
        signal: {
          fingerprint: `${service}/${check}`,
          source: 'probe',
          service,
          check,
          labels: { service, check, role: 'liveness' },
          status: step.op === 'fire' ? 'firing' : 'resolved',
          startsAt: at,
          at,
          summary: check,
          evidence:
            deps.length > 0
              ? [
                  {
                    ok: false,
                    startedAt: at,
                    durationMs: 1,
                    dependencies: deps.map((name) => ({
                      name,
                      health: 'fail' as const,
                      reported: 'DOWN',
                    })),
                  },
                ]
              : [],
        },
      };
    }
    case 'outcome': {
      const heal = ledger.inFlight[step.pick % Math.max(1, ledger.inFlight.length)];
      if (heal === undefined) return { kind: 'tick', at };
      return { kind: 'outcome', at, commandId: heal.id, result: step.result };
    }
    case 'approve':
    case 'deny': {
      const id = ledger.approvals[step.pick % Math.max(1, ledger.approvals.length)];
      if (id === undefined) return { kind: 'tick', at };
      return { kind: 'approval', at, approvalId: id, verdict: step.op, actor: 'tester' };
    }
    case 'reset':
      return { kind: 'breakerReset', at, service: `s${step.service % count}`, actor: 'tester' };
    case 'run':
      // A run by hand, as the shell sends it (it refuses one on a busy service, but a run can
      // race a heal the same decision starts: the engine must hold one per service anyway).
      return {
        kind: 'runbookRun',
        at,
        service: `s${step.service % count}`,
        runbook: 'restart',
        params: {},
        actor: 'tester',
        request: at,
      };
    case 'tick':
      return { kind: 'tick', at };
  }
}

export function updateLedger(ledger: Ledger, input: Input, commands: Command[]): void {
  if (input.kind === 'outcome')
    ledger.inFlight = ledger.inFlight.filter((h) => h.id !== input.commandId);
  if (input.kind === 'approval')
    ledger.approvals = ledger.approvals.filter((id) => id !== input.approvalId);
  for (const command of commands) {
    if (command.kind === 'heal') ledger.inFlight.push(command);
    if (command.kind === 'requestApproval') ledger.approvals.push(command.approvalId);
  }
}

export interface Trace {
  inputs: Input[];
  decisions: Decision<EngineState>[];
}

/**
 * Play steps through the engine: before each input, a tick at the same time (so heals caused
 * by timers and heals caused by the input fall in separate decisions). `check` sees every one.
 */
export function play(
  world: World,
  list: Step[],
  check: (input: Input, decision: Decision<EngineState>, before: EngineState) => void = () => {},
): Trace {
  const engine = createEngine(worldConfig(world));
  let state = engine.initialState();
  let at = T0;
  const ledger: Ledger = { inFlight: [], approvals: [] };
  const trace: Trace = { inputs: [], decisions: [] };
  for (const step of list) {
    at += step.gap;
    for (const input of [{ kind: 'tick', at } as Input, toInput(world, step, at, ledger)]) {
      const decision = engine.decide(state, input, at);
      check(input, decision, state);
      updateLedger(ledger, input, decision.commands);
      trace.inputs.push(input);
      trace.decisions.push(decision);
      state = decision.state;
    }
  }
  return trace;
}
