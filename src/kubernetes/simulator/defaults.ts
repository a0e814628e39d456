import { field, type KubeObject, record } from './objects.ts';

/**
 * Explicit nulls dropped everywhere, as the API server's typed decoding does: a client's
 * `creationTimestamp: null` (Go's zero metav1.Time in `rollout undo`'s patch) must not make two
 * equal templates differ (KUBERNETES.md §2.4).
 */
export function pruneNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(pruneNulls) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = pruneNulls(v);
    return out as T;
  }
  return value;
}

const setDefault = (object: Record<string, unknown>, key: string, value: unknown) => {
  if (object[key] === undefined) object[key] = value;
};

/** The pod spec defaults of pkg/apis/core/v1/defaults.go that kubectl shows back. */
export function defaultPodSpec(spec: Record<string, unknown>): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  for (const container of (spec.containers ?? []) as Record<string, unknown>[]) {
    const image = String(container.image ?? '');
    const tag = /:([^/:@]+)$/.exec(image)?.[1];
    setDefault(
      container,
      'imagePullPolicy',
      tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent',
    );
    setDefault(container, 'terminationMessagePath', '/dev/termination-log');
    setDefault(container, 'terminationMessagePolicy', 'File');
    setDefault(container, 'resources', {});
  }
}

/** Defaults a written object of `kind`, as the API server does before storing it. */
export function applyDefaults(kind: string, object: KubeObject): void {
  const spec = object.spec ?? {};
  if (kind === 'Deployment') {
    object.spec = spec;
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'progressDeadlineSeconds', 600);
    setDefault(spec, 'strategy', {});
    const strategy = record(spec.strategy);
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      setDefault(strategy, 'rollingUpdate', {});
      const rolling = record(strategy.rollingUpdate);
      setDefault(rolling, 'maxSurge', '25%');
      setDefault(rolling, 'maxUnavailable', '25%');
    }
  }
  if (kind === 'ReplicaSet') {
    object.spec = spec;
    setDefault(spec, 'replicas', 1);
  }
  if (kind === 'Deployment' || kind === 'ReplicaSet') {
    const template = record(spec.template ?? {});
    spec.template = template;
    setDefault(template, 'metadata', {});
    setDefault(template, 'spec', {});
    defaultPodSpec(record(template.spec));
  }
  if (kind === 'Pod') {
    object.spec = spec;
    defaultPodSpec(spec);
  }
  if (kind === 'Namespace') {
    object.spec = { finalizers: ['kubernetes'], ...spec };
    object.status = { phase: 'Active', ...(object.status ?? {}) };
    object.metadata.labels = {
      'kubernetes.io/metadata.name': object.metadata.name,
      ...(object.metadata.labels ?? {}),
    };
  }
}

/** Kinds whose `metadata.generation` counts spec changes (the others leave it unset). */
const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'Pod', 'PodDisruptionBudget']);

/**
 * The write rules common to every update: status is kept from the stored object (only the
 * status subresource and the controllers change it), and generation moves only when the spec
 * changes.
 */
export function applyUpdateRules(
  kind: string,
  stored: KubeObject,
  next: KubeObject,
  subresource: 'status' | undefined,
): void {
  if (subresource === 'status') {
    next.spec = stored.spec;
    next.metadata = { ...stored.metadata };
  } else if (stored.status !== undefined || next.status !== undefined) {
    if (stored.status === undefined) delete next.status;
    else next.status = stored.status;
  }
  if (!GENERATION_KINDS.has(kind)) return;
  const generation = stored.metadata.generation ?? 1;
  const changed = JSON.stringify(stored.spec) !== JSON.stringify(next.spec);
  next.metadata.generation = changed ? generation + 1 : generation;
}

/** The generation a newly created object starts at. */
export function initialGeneration(kind: string, object: KubeObject): void {
  if (GENERATION_KINDS.has(kind)) object.metadata.generation = 1;
  else delete object.metadata.generation;
}

/** Fields the API server refuses to change once set: `[path, message]` when one changed. */
export function immutableChange(
  kind: string,
  stored: KubeObject,
  next: KubeObject,
): [string, string] | undefined {
  if (kind === 'Deployment' || kind === 'ReplicaSet') {
    const before = JSON.stringify(field(stored, 'spec', 'selector'));
    if (before !== JSON.stringify(field(next, 'spec', 'selector'))) {
      return [
        'spec.selector',
        `Invalid value: ${JSON.stringify(field(next, 'spec', 'selector'))}: field is immutable`,
      ];
    }
  }
  if (kind === 'Pod') {
    const { containers: a, ...restA } = record(stored.spec ?? {});
    const { containers: b, ...restB } = record(next.spec ?? {});
    const images = (list: unknown) =>
      JSON.stringify(((list ?? []) as Record<string, unknown>[]).map(({ image: _, ...c }) => c));
    if (images(a) !== images(b) || JSON.stringify(strip(restA)) !== JSON.stringify(strip(restB))) {
      return [
        'spec',
        'Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds` or `spec.tolerations` (only additions to existing tolerations)',
      ];
    }
  }
  return undefined;
}

// nodeName is set by the scheduler through binding; the simulator's own writes bypass this check.
function strip(spec: Record<string, unknown>): Record<string, unknown> {
  const { activeDeadlineSeconds: _a, tolerations: _t, ...rest } = spec;
  return rest;
}
