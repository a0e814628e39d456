import type { Draft } from '../draft.ts';
import type { HealthHooks } from '../incidents/service-health.ts';
import { incidentOf } from '../state.ts';
import { judge } from './judge.ts';

/**
 * What other incidents a change frees: the dependents held on a service that recovered, the
 * incidents held by a blast radius that fell back to its limit, those waiting for a service's
 * heal to finish, and the queue when a concurrency slot opens.
 */

/** Judge again the open incidents of `service` that are blocked by `blockedBy`. */
export function rejudgeBlocked(d: Draft, service: string, blockedBy: string): void {
  const incidents = d.peek(service)?.incidents ?? [];
  for (const incident of incidents) {
    if (incident.blockedBy === blockedBy) judge(d, service, incident.id);
  }
}

export function healthHooks(d: Draft): HealthHooks {
  return {
    recovered(service) {
      const held = d.peek(service)?.held ?? [];
      if (held.length === 0) return;
      d.service(service).held = [];
      for (const dependent of held) rejudgeBlocked(d, dependent, 'dependency');
    },
    withinLimit(policy) {
      const limit = d.compiled.byName.get(policy)?.limit ?? null;
      const current = d.state.blast[policy];
      if (current === undefined || limit === null || current.unhealthy > limit) return;
      const blast = d.blast(policy);
      if (blast.page !== null) {
        d.commands.push({
          kind: 'resolvePage',
          id: blast.page,
          idempotencyKey: `${blast.page}:resolve`,
          target: blast.page,
          summary: `${blast.unhealthy} unhealthy, within maxUnhealthy ${limit} of policy ${policy}: healing resumes`,
        });
        blast.page = null;
      }
      const held = blast.held;
      blast.held = [];
      for (const service of held) rejudgeBlocked(d, service, 'blast-radius');
    },
  };
}

/** A concurrency slot opened: judge queued incidents in order while slots remain. */
export function drainQueue(d: Draft): void {
  const global = d.compiled.settings.maxConcurrent;
  for (const entry of [...d.state.queue]) {
    if (global !== null && d.state.inFlightCount >= global) return;
    const incident = incidentOf(d.peek(entry.service), entry.incident);
    if (incident === undefined || incident.phase !== 'queued') {
      d.state.queue = d.state.queue.filter((queued) => queued !== entry);
      continue;
    }
    judge(d, entry.service, entry.incident);
  }
}
