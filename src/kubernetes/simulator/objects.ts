/**
 * Kubernetes objects as the simulator holds them: plain JSON, typed only as far as the simulator
 * reads them. The API server keeps no Go structs, so "decode like the apiserver" is done by the
 * defaulting and pruning in defaults.ts, not by types.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** An object of any kind: the fields every kind has, the rest left open. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A deep copy, so no caller shares structure with the store. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The object's controller owner, as `metav1.GetControllerOf` finds it. */
export function controllerOf(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** A nested field read without casts at every step: `field(pod, 'spec', 'nodeName')`. */
export function field(object: unknown, ...path: string[]): unknown {
  let value = object;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** The object as a mutable record, for code that fills in fields. */
export function record(value: unknown): Record<string, unknown> {
  return value as Record<string, unknown>;
}
