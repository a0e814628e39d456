import type { ChronicSettings } from '../config/kinds/settings.ts';
import type { CompiledPolicies } from './compile.ts';
import type { ServiceState } from './state.ts';

/**
 * The Settings schema's default (3 heals within 24h), for a config built without the chronic
 * settings. A copy because settings.ts cannot be imported at run time here (it reaches the probe
 * registry); test/policy/chronic.test.ts checks that the two agree.
 */
export const ENGINE_CHRONIC_DEFAULTS: ChronicSettings = { heals: 3, withinMs: 86_400_000 };

export function chronicSettings(compiled: CompiledPolicies): ChronicSettings {
  return compiled.settings.chronic ?? ENGINE_CHRONIC_DEFAULTS;
}

/** Heal times that left the window, dropped so that a quiet service leaves the state. */
export function pruneHeals(svc: ServiceState, now: number, settings: ChronicSettings): void {
  const heals = svc.heals;
  if (heals === undefined || heals.length === 0 || heals[0]! > now - settings.withinMs) return;
  svc.heals = heals.filter((at) => at > now - settings.withinMs);
}
