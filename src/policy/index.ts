/**
 * The decision engine's public API. Pure: the shell feeds inputs in time order, journals each
 * input and decision, dispatches the commands, and feeds their outcomes back.
 *
 *   const engine = createEngine(config);          // compilePolicies(config) once
 *   let state = engine.initialState();            // or a rebuilt JSON snapshot
 *   const { state: next, commands, events, reasons } = engine.decide(state, input, now);
 */
export type { CompiledPolicies, CompiledPolicy } from './compile.ts';
export { comparePolicies, compilePolicies } from './compile.ts';
export type { Engine } from './decide.ts';
export { adoptConfig, createEngine, decide } from './decide.ts';
export type { EngineState, IncidentState, Phase } from './state.ts';
export { initialState, PHASES } from './state.ts';
export { nextTimerAt } from './timers.ts';
export type * from './types.ts';
export type { BreakerView, SilenceView } from './views.ts';
export { findIncident, listBreakers, listSilences, openIncidents } from './views.ts';
