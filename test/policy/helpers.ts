import type { Config, ServiceConfig } from '../../src/config/config.ts';
import { configFromSpecs } from '../../src/documents.ts';
import { createEngine, type EngineState, type Input } from '../../src/policy/index.ts';
import type { Command, Decision, IncidentEvent, Reason } from '../../src/policy/types.ts';
import type { Signal } from '../../src/signals/signal.ts';

/** Build a Config in memory through the real schemas (so defaults are the real ones). */
export interface ConfigParts {
  services?: Array<{ name: string; dependsOn?: string[]; labels?: Record<string, string> }>;
  policies?: Record<string, unknown>;
  silences?: Record<string, unknown>;
  maintenanceWindows?: Record<string, unknown>;
  settings?: Record<string, unknown>;
}

export function makeConfig(parts: ConfigParts): Config {
  const documents: { kind: string; name: string; spec: unknown }[] = [];
  const add = (kind: string, name: string, spec: unknown) => documents.push({ kind, name, spec });
  for (const [name, spec] of Object.entries(parts.policies ?? {})) add('Policy', name, spec);
  for (const [name, spec] of Object.entries(parts.silences ?? {})) add('Silence', name, spec);
  for (const [name, spec] of Object.entries(parts.maintenanceWindows ?? {})) {
    add('MaintenanceWindow', name, spec);
  }
  if (parts.settings) add('Settings', 'settings', parts.settings);
  const services: ServiceConfig[] = (parts.services ?? []).map((s) => ({
    name: s.name,
    labels: s.labels ?? {},
    selector: [],
    events: [],
    dependsOn: s.dependsOn ?? [],
    checks: [],
    source: { file: 'test', line: 0, col: 0 },
  }));
  return { ...configFromSpecs(documents), services };
}

export const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);

export function firing(
  service: string,
  at: number,
  extra: Partial<Signal> & { check?: string } = {},
): Input {
  const check = extra.check ?? 'live';
  const signal: Signal = {
    fingerprint: `${service}/${check}`,
    source: 'probe',
    service,
    check,
    labels: { service, check, source: 'probe', role: 'liveness', ...(extra.labels ?? {}) },
    status: 'firing',
    startsAt: at,
    at,
    summary: '3 consecutive failures: connect ECONNREFUSED',
    evidence: [],
    ...extra,
  };
  return { kind: 'signal', at, signal };
}

export function resolved(service: string, at: number, check = 'live'): Input {
  const input = firing(service, at, { check });
  if (input.kind !== 'signal') throw new Error('unreachable');
  return { ...input, signal: { ...input.signal, status: 'resolved', summary: 'healthy again' } };
}

export function outcome(
  commandId: string,
  at: number,
  result: 'succeeded' | 'failed' | 'unknown',
): Input {
  return { kind: 'outcome', at, commandId, result };
}

export function tick(at: number): Input {
  return { kind: 'tick', at };
}

/** Run inputs in order (now = input.at); collect everything. */
export function run(config: Config, inputs: Input[], start?: EngineState) {
  const engine = createEngine(config);
  let state = start ?? engine.initialState();
  const commands: Command[] = [];
  const events: IncidentEvent[] = [];
  const reasons: Reason[] = [];
  const steps: Decision<EngineState>[] = [];
  for (const input of inputs) {
    const decision = engine.decide(state, input, input.at);
    state = decision.state;
    commands.push(...decision.commands);
    events.push(...decision.events);
    reasons.push(...decision.reasons);
    steps.push(decision);
  }
  return { engine, state, commands, events, reasons, steps };
}
