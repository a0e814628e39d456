import { hash32, stableJson } from '../../../support/stable-hash.ts';
import { clone, field, record } from '../objects.ts';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';
export const HASH_LABEL = 'pod-template-hash';

/**
 * An int-or-percent (maxSurge "25%", maxUnavailable 1) scaled to `total`, rounded up or down
 * as the deployment controller does (intstr.GetScaledValueFromIntOrPercent).
 */
export function scaled(value: unknown, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(String(value ?? '0'));
  if (!percent) return Number(value ?? 0) || 0;
  const exact = (Number(percent[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** maxSurge and maxUnavailable of a RollingUpdate Deployment; both 0 would deadlock, so 1. */
export function surgeAndUnavailable(spec: Record<string, unknown>): {
  surge: number;
  unavailable: number;
} {
  const replicas = Number(spec.replicas ?? 1);
  const rolling = record(field(spec, 'strategy', 'rollingUpdate') ?? {});
  const surge = scaled(rolling.maxSurge ?? '25%', replicas, true);
  let unavailable = scaled(rolling.maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, replicas) };
}

/** A pod template without the pod-template-hash label, for comparing templates. */
export function withoutHash(template: unknown): Record<string, unknown> {
  const copy = clone(record(template ?? {}));
  const metadata = record(copy.metadata ?? {});
  const labels = { ...record(metadata.labels ?? {}) };
  delete labels[HASH_LABEL];
  copy.metadata = { ...metadata, labels };
  if (Object.keys(labels).length === 0) delete record(copy.metadata).labels;
  return copy;
}

export function sameTemplate(a: unknown, b: unknown): boolean {
  return stableJson(withoutHash(a)) === stableJson(withoutHash(b));
}

/** The pod-template-hash of a template: fnv32 of its JSON, safe-encoded like the controller's. */
export function templateHash(template: unknown): string {
  return [...String(hash32(stableJson(withoutHash(template))))]
    .map((ch) => ALPHANUMS[ch.charCodeAt(0) % ALPHANUMS.length])
    .join('');
}
