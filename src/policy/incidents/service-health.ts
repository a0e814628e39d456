import { type CompiledService, serviceOf } from '../compile.ts';
import type { Draft } from '../draft.ts';
import type { BlastState } from '../state.ts';
import { tableEntries } from '../table.ts';

/**
 * Service health and the blast-radius counts that follow from it, kept incrementally: a change
 * touches the service and its unhealthy dependents, never the whole fleet.
 *
 * A service is unhealthy while it has a firing signal. It counts toward a policy's maxUnhealthy
 * when it is unhealthy and none of its configured dependencies is: 200 services failing because
 * their database is down are one failure (the database), not a fleet-wide outage that stops all
 * healing. (Dependencies named only in health documents do not change the count.)
 */
function counts(d: Draft, service: CompiledService): boolean {
  if ((d.peek(service.name)?.firing ?? 0) === 0) return false;
  return !service.dependsOn.some((dep) => (d.peek(dep)?.firing ?? 0) > 0);
}

export interface HealthHooks {
  /** The service has no firing signal left. */
  recovered(service: string): void;
  /** The service has its first firing signal. */
  unhealthy(service: string): void;
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
  const self = serviceOf(d.compiled, name);
  // Only services some policy counts (one with maxUnhealthy) need recounting.
  const affected: CompiledService[] = self.blast.length > 0 ? [self] : [];
  for (const other of self.dependentServices) {
    if (other.blast.length > 0 && (d.peek(other.name)?.firing ?? 0) > 0) affected.push(other);
  }
  const was = affected.map((service) => counts(d, service));
  d.service(name).firing = after;
  affected.forEach((service, i) => {
    const is = counts(d, service);
    if (is !== was[i]) adjustBlast(d, service, is ? 1 : -1, hooks);
  });
  if (after === 0) d.later(() => hooks.recovered(name));
  else d.later(() => hooks.unhealthy(name));
}

function adjustBlast(d: Draft, service: CompiledService, delta: number, hooks: HealthHooks): void {
  for (const policy of service.blast) {
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
  const blast = d.state.blast;
  const next: Record<string, BlastState> = {};
  for (const policy of d.compiled.policies) {
    if (policy.limit === null) continue;
    const old = blast[policy.name];
    next[policy.name] = { unhealthy: 0, page: old?.page ?? null, held: old?.held ?? [] };
  }
  for (const [name] of tableEntries(d.state.services)) {
    const service = serviceOf(d.compiled, name);
    if (!counts(d, service)) continue;
    for (const policy of service.blast) next[policy.name]!.unhealthy++;
  }
  d.state.blast = next;
}
