import type { ChronicSettings } from '../config/config.ts';
import { CHRONIC_DEFAULTS } from '../config/kinds/settings.ts';
import type { CompiledPolicies } from './compile.ts';
import { duration, plural } from './format.ts';
import type { Chronic, ServiceState } from './state.ts';

/**
 * Chronic problems. Healing that works again and again is not success: it hides a failure that
 * keeps coming back. A service with `chronic.heals` verified heals within `chronic.within` is
 * chronic; its open incident says so once (a `chronic` event with the numbers), and every page
 * for that incident carries the flag and the sentence. Only verified heals count: heals that fail
 * are the breaker's business, and already page. Here: the numbers, the sentence, the defaults and
 * the window kept in state; incidents/chronic-heals.ts flags the incidents.
 */

/** The chronic thresholds in force: the config's, or the Settings schema's defaults. */
export function chronicSettings(compiled: CompiledPolicies): ChronicSettings {
  return compiled.settings.chronic ?? CHRONIC_DEFAULTS;
}

/** `healed 3 times in 24h: healing is hiding a recurring failure` */
export function chronicSentence(chronic: Chronic): string {
  return `healed ${plural(chronic.heals, 'time')} in ${windowWords(chronic.withinMs)}: healing is hiding a recurring failure`;
}

/** Heal times that left the window, dropped so that a quiet service leaves the state. */
export function pruneHeals(svc: ServiceState, now: number, settings: ChronicSettings): void {
  const heals = svc.heals;
  if (heals === undefined || heals.length === 0 || heals[0]! > now - settings.withinMs) return;
  svc.heals = heals.filter((at) => at > now - settings.withinMs);
}

/** A window as people say it: `24h` rather than `1d` up to two days, else the usual spelling. */
export function windowWords(ms: number): string {
  const hours = ms / 3_600_000;
  return Number.isInteger(hours) && hours <= 48 ? `${hours}h` : duration(ms);
}
