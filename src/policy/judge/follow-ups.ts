import { serviceOf } from '../compile.ts';
import type { Draft } from '../draft.ts';
import { rootOf, rootStatus } from '../guardrails/root-status.ts';
import type { HealthHooks } from '../incidents/service-health.ts';
import { incidentOf } from '../state.ts';
import { judge, SETTLED } from './judge.ts';

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
    // A dependency whose failure is seen after its dependent's: judge the dependents again, so
    // they are held and linked to it now (one healing or paged already is left to finish).
    unhealthy(service) {
      for (const dependent of serviceOf(d.compiled, service).dependents) {
        for (const incident of d.peek(dependent)?.incidents ?? []) {
          if (incident.blockedBy !== 'dependency' && !SETTLED.has(incident.phase)) {
            judge(d, dependent, incident.id);
          }
        }
      }
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

/**
 * Level-based: every incident held by a dependency says what is done about its root. When that
 * changed in this decision (the root's heal began, its breaker opened, a human was paged), the
 * held incident is judged again, so its reason stays true and, when nothing and nobody deals
 * with the root any more, it pages. Runs until nothing changes (a chain settles link by link).
 */
export function refreshHolds(d: Draft): void {
  for (let round = 0; round < 32; round++) {
    let judged = false;
    for (const name of d.touched()) {
      for (const dependent of d.peek(name)?.held ?? []) {
        for (const incident of d.peek(dependent)?.incidents ?? []) {
          if (incident.blockedBy !== 'dependency' || incident.linkedVia !== name) continue;
          const root = rootOf(d, name, incident.linkedTo!);
          if (incident.rootStatus === rootStatus(d, root).key) continue;
          judge(d, dependent, incident.id);
          judged = true;
        }
      }
    }
    d.drain();
    if (!judged) return;
  }
}
