import { chronicSentence, chronicSettings, windowWords } from '../chronic.ts';
import type { Draft } from '../draft.ts';
import { plural } from '../format.ts';
import type { Chronic, IncidentState, ServiceState } from '../state.ts';

/** A heal of `service` was verified: remember when, and flag its incident if that makes it chronic. */
export function noteVerifiedHeal(
  d: Draft,
  svc: ServiceState,
  service: string,
  incidentId: string,
  inc: IncidentState | undefined,
): void {
  svc.heals = [...recentHeals(d, svc), d.now];
  flagIfChronic(d, svc, service, incidentId, inc);
}

/**
 * Flag the incident when its service is chronic now: after a verified heal, and when a chronic
 * service opens a new incident (so that its first page already says so). Once per incident; an
 * incident that already closed (the outcome came late) still gets the event on its record.
 */
export function flagIfChronic(
  d: Draft,
  svc: ServiceState,
  service: string,
  incidentId: string,
  inc: IncidentState | undefined,
): void {
  // Most services were never healed: this runs for every new incident, so leave at once.
  if (svc.heals === undefined || inc?.chronic) return;
  const settings = chronicSettings(d.compiled);
  if (svc.heals.length < settings.heals) return;
  const heals = recentHeals(d, svc);
  if (heals.length < settings.heals) return;
  // An incident that already closed (a late outcome) keeps no memory of being flagged: flag it
  // only for the heal that made the service chronic. Were the service chronic before, the
  // incident was flagged while it was open (when it opened, or at that earlier heal).
  if (inc === undefined && heals.length > settings.heals) return;
  const chronic: Chronic = { heals: heals.length, withinMs: settings.withinMs };
  const reason = d.reason({
    code: 'chronic',
    incidentId,
    service,
    ...(inc?.policy ? { policy: inc.policy } : {}),
    numbers: {
      heals: heals.length,
      limit: settings.heals,
      withinMs: settings.withinMs,
      firstHealAt: heals[0]!,
    },
    message: `${service} ${chronicSentence(chronic)} (chronic from ${plural(settings.heals, 'verified heal')} within ${windowWords(settings.withinMs)})`,
  });
  if (inc !== undefined) inc.chronic = chronic;
  d.emit({ type: 'chronic', incidentId, at: d.now, service, ...chronic, reason });
}

/** Verified heals still inside the window (snapshots from before chronic detection have none). */
function recentHeals(d: Draft, svc: ServiceState): number[] {
  const since = d.now - chronicSettings(d.compiled).withinMs;
  const heals = svc.heals ?? [];
  return heals.length > 0 && heals[0]! <= since ? heals.filter((at) => at > since) : heals;
}
