import { serviceOf } from './compile.ts';
import type { Draft } from './draft.ts';
import type { BlastState } from './state.ts';
import { tableEntries } from './table.ts';

/**
 * Service health and the blast-radius counts that follow from it, kept incrementally: a change
 * touches the service and its unhealthy dependents, never the whole fleet.
 *
 * A service is unhealthy while it has a firing signal. It counts toward a policy's maxUnhealthy
 * when it is unhealthy and none of its configured dependencies is: 200 services failing because
 * their database is down are one failure (the database), not a fleet-wide outage that stops all
 * healing. (Dependencies named only in health documents do not change the count.)
 */
function counts(d: Draft, name: string): boolean {
  if ((d.peek(name)?.firing ?? 0) === 0) return false;
  return !serviceOf(d.compiled, name).dependsOn.some((dep) => (d.peek(dep)?.firing ?? 0) > 0);
}

export interface HealthHooks {
  /** The service has no firing signal left. */
  recovered(service: string): void;
  /** A policy's unhealthy count fell back to or below its maxUnhealthy. */
  withinLimit(policy: string): void;
}

/** Add `delta` firing signals to a service, and follow what changes when it turns (un)healthy. */
export function changeFiring(d: Draft, name: string, delta: number, hooks: HealthHooks): void {
  const before = d.peek(name)?.firing ?? 0;
  const after = before + delta;
  if (before > 0 === after > 0) {
    d.service(name).firing = after;
    return;
  }
  const dependents = serviceOf(d.compiled, name).dependents;
  const affected = [name, ...dependents.filter((dep) => (d.peek(dep)?.firing ?? 0) > 0)];
  const was = affected.map((service) => counts(d, service));
  d.service(name).firing = after;
  affected.forEach((service, i) => {
    const is = counts(d, service);
    if (is !== was[i]) adjustBlast(d, service, is ? 1 : -1, hooks);
  });
  if (after === 0) d.later(() => hooks.recovered(name));
}

function adjustBlast(d: Draft, service: string, delta: number, hooks: HealthHooks): void {
  for (const policy of serviceOf(d.compiled, service).blast) {
    const blast = d.blast(policy.name);
    blast.unhealthy += delta;
    const held = blast.page !== null || blast.held.length > 0;
    if (delta < 0 && held && blast.unhealthy === policy.limit) {
      d.later(() => hooks.withinLimit(policy.name));
    }
  }
}

/**
 * Recount from scratch, for a state decided under another config (a reload changes which
 * services a policy selects and what depends on what). Pages and held lists are kept.
 */
export function recountBlast(d: Draft): void {
  const blast = d.shared('blast');
  const next: Record<string, BlastState> = {};
  for (const policy of d.compiled.policies) {
    if (policy.limit === null) continue;
    const old = blast[policy.name];
    next[policy.name] = { unhealthy: 0, page: old?.page ?? null, held: old?.held ?? [] };
  }
  for (const [name] of tableEntries(d.state.services)) {
    if (!counts(d, name)) continue;
    for (const policy of serviceOf(d.compiled, name).blast) next[policy.name]!.unhealthy++;
  }
  for (const key of Object.keys(blast)) delete blast[key];
  Object.assign(blast, next);
}
