import { Cron } from 'croner';
import type { Config } from '../config/config.ts';
import { formatDuration } from '../config/kinds/duration.ts';
import { iso } from './format.ts';
import { compileMatchers, formatMatcher, type LabelPredicate } from './matchers.ts';
import type { RuntimeSilence } from './state.ts';

/** A Silence or a MaintenanceWindow: while active, matching signals are recorded and nothing done. */
export interface SilenceRule {
  kind: 'silence' | 'maintenance';
  name: string;
  matches: LabelPredicate;
  /** When the rule is active at `now`, the time it ends; otherwise null. */
  activeUntil(now: number): number | null;
  /** What the reason says about it, e.g. `silence db-upgrade (by alice: "upgrade")`. */
  describe: string;
}

export function compileSilences(config: Config): SilenceRule[] {
  const silences: SilenceRule[] = config.silences.map((silence) => ({
    kind: 'silence',
    name: silence.name,
    matches: compileMatchers(silence.matchers),
    activeUntil: (now) => (now >= silence.startsAt && now < silence.endsAt ? silence.endsAt : null),
    describe: `silence ${silence.name} (${silence.matchers.map(formatMatcher).join(', ')}; by ${silence.createdBy}: ${JSON.stringify(silence.comment)})`,
  }));
  const windows: SilenceRule[] = config.maintenanceWindows.map((window) => ({
    kind: 'maintenance',
    name: window.name,
    matches: compileMatchers(window.matchers),
    activeUntil: windowActivity(window.schedule, window.timeZone, window.durationMs),
    describe: `maintenance window ${window.name} (${JSON.stringify(window.schedule)} ${window.timeZone} for ${formatDuration(window.durationMs)})`,
  }));
  return [...silences, ...windows];
}

/**
 * The rule of a runtime silence (state.silences). Compiling matchers is costly next to a decision,
 * and the same silence object is shared by every state until it changes, so its rule is kept with
 * it: a cache of a pure function of the object, which answers the same without it.
 */
const runtimeRules = new WeakMap<RuntimeSilence, SilenceRule>();

export function runtimeSilenceRule(id: string, silence: RuntimeSilence): SilenceRule {
  let rule = runtimeRules.get(silence);
  if (rule === undefined) {
    rule = {
      kind: 'silence',
      name: id,
      matches: compileMatchers(silence.matchers),
      activeUntil: (now) =>
        now >= silence.startsAt && now < silence.endsAt ? silence.endsAt : null,
      describe: `silence ${id} (${silence.matchers.map(formatMatcher).join(', ')}; by ${silence.createdBy}: ${JSON.stringify(silence.comment)})`,
    };
    runtimeRules.set(silence, rule);
  }
  return rule;
}

/** The config's rules, then the runtime silences', in id order. */
export function silenceRules(
  configured: readonly SilenceRule[],
  runtime: Readonly<Record<string, RuntimeSilence>> | undefined,
): readonly SilenceRule[] {
  if (runtime === undefined) return configured;
  const ids = Object.keys(runtime);
  if (ids.length === 0) return configured;
  return [...configured, ...ids.sort().map((id) => runtimeSilenceRule(id, runtime[id]!))];
}

/** The first active rule matching `labels`, with its end. */
export function activeSilence(
  rules: readonly SilenceRule[],
  labels: Readonly<Record<string, string>>,
  now: number,
): { rule: SilenceRule; until: number } | null {
  for (const rule of rules) {
    if (!rule.matches(labels)) continue;
    const until = rule.activeUntil(now);
    if (until !== null) return { rule, until };
  }
  return null;
}

/**
 * Whether a cron window is open at `now`: the latest start at or before now, plus the duration.
 * Cron arithmetic is slow next to a decision, so the answer is kept with the span of time it
 * holds for (until the window ends, or until the next start). That is a cache of a pure function
 * of `now`, not state: the answers are the same with or without it.
 */
function windowActivity(schedule: string, timeZone: string, durationMs: number) {
  const cron = new Cron(schedule, { timezone: timeZone, paused: true });
  let cached: { from: number; to: number; until: number | null } | null = null;
  return (now: number): number | null => {
    if (cached !== null && now >= cached.from && now < cached.to) return cached.until;
    const previous = cron.previousRuns(1, new Date(now + 1))[0]?.getTime();
    const end = previous === undefined ? undefined : previous + durationMs;
    if (previous !== undefined && end! > now) {
      cached = { from: previous, to: end!, until: end! };
    } else {
      const next = cron.nextRun(new Date(now))?.getTime() ?? Number.POSITIVE_INFINITY;
      cached = { from: end ?? Number.NEGATIVE_INFINITY, to: next, until: null };
    }
    return cached.until;
  };
}

export function describeSilence(active: { rule: SilenceRule; until: number }): string {
  return `${active.rule.describe} until ${iso(active.until)}`;
}
