import type { Config } from '../config/config.ts';
import { type Engine, listBreakers, openIncidents } from '../policy/index.ts';
import type { Command, IncidentEvent, Input, Reason } from '../policy/types.ts';
import type { BreakerView } from '../policy/views.ts';
import { toInput } from './inputs.ts';
import { offsetMs, type TestCase } from './schema.ts';

/** What happened at one time: every decision taken then. */
export interface Moment {
  commands: Command[];
  reasons: Reason[];
  events: IncidentEvent[];
}

export interface CaseIncident {
  id: string;
  service: string;
  status: 'open' | 'closed';
  phase: string;
  policy: string | null;
  linkedTo: string | null;
  attempts: number;
  rung: number;
  /** The message of its latest decision, to explain a mismatch. */
  lastReason: string;
}

export interface Snapshot {
  incidents: CaseIncident[];
  breakers: BreakerView[];
}

export interface CaseRun {
  moments: Map<number, Moment>;
  /** After everything at each expectation time. */
  snapshots: Map<number, Snapshot>;
}

/**
 * Play a case through the engine on a simulated clock: its inputs at their times, and a tick
 * every `tickEvery` in between (as the controller sends them), so timers fire when they would.
 */
export function runCase(
  engine: Engine,
  config: Config,
  start: number,
  testCase: TestCase,
): CaseRun {
  const inputs = testCase.inputs.map((input) => toInput(config, start, input));
  const expectAt = testCase.expect.map((e) => start + offsetMs(e.at));
  const end = Math.max(start, ...inputs.map((i) => i.at), ...expectAt);
  const timeline = withTicks(inputs, start, end, offsetMs(testCase.tickEvery), expectAt);
  const moments = new Map<number, Moment>();
  const snapshots = new Map<number, Snapshot>();
  const closed = new Map<string, CaseIncident>();
  const lastReason = new Map<string, string>();
  let state = engine.initialState();
  timeline.forEach((input, i) => {
    const decision = engine.decide(state, input, input.at);
    state = decision.state;
    const moment = moments.get(input.at) ?? { commands: [], reasons: [], events: [] };
    moment.commands.push(...decision.commands);
    moment.reasons.push(...decision.reasons);
    moment.events.push(...decision.events);
    moments.set(input.at, moment);
    for (const event of decision.events) {
      if ('reason' in event) lastReason.set(event.incidentId, event.reason.message);
      if (event.type === 'opened') {
        closed.delete(event.incidentId);
      } else if (event.type === 'resolved') {
        closed.set(event.incidentId, {
          id: event.incidentId,
          service: event.reason.service ?? '',
          status: 'closed',
          phase: 'closed',
          policy: event.reason.policy ?? null,
          linkedTo: null,
          attempts: event.attempts,
          rung: 0,
          lastReason: event.reason.message,
        });
      }
    }
    const next = timeline[i + 1];
    if (next === undefined || next.at !== input.at) {
      if (expectAt.includes(input.at)) {
        const open = openIncidents(state).map((incident) => ({
          id: incident.id,
          service: incident.service,
          status: 'open' as const,
          phase: incident.phase,
          policy: incident.policy,
          linkedTo: incident.linkedTo,
          attempts: incident.attempts,
          rung: incident.rung + 1,
          lastReason: lastReason.get(incident.id) ?? '',
        }));
        snapshots.set(input.at, {
          incidents: [...open, ...closed.values()],
          breakers: listBreakers(state),
        });
      }
    }
  });
  return { moments, snapshots };
}

function withTicks(
  inputs: Input[],
  start: number,
  end: number,
  everyMs: number,
  extra: number[],
): Input[] {
  const times = new Set(inputs.map((input) => input.at));
  const ticks: number[] = [...extra];
  if (everyMs > 0) for (let at = start; at <= end; at += everyMs) ticks.push(at);
  const merged: Input[] = [...inputs];
  for (const at of new Set(ticks)) if (!times.has(at)) merged.push({ kind: 'tick', at });
  // Stable: inputs keep their order; a tick never shares a time with an input.
  return merged.sort((a, b) => a.at - b.at);
}
