import type { ResourceRequest, ResourceResponse } from './api-request.ts';
import { ApiError, errors, failure, success } from './api-status.ts';
import type { ClusterContext } from './cluster-context.ts';
import { blockingBudget } from './controllers/disruption.ts';
import { deletePodGracefully } from './controllers/replicaset-controller.ts';
import { field, type KubeObject, record } from './objects.ts';
import { applyPatch } from './patches.ts';
import { patchObject, replaceObject } from './resource-writes.ts';
import { selectorText } from './selectors.ts';

function stored(context: ClusterContext, request: ResourceRequest): KubeObject {
  const object = context.store.get(request.type, request.namespace, request.name!);
  if (!object) throw errors.notFound(request.type, request.name!);
  return object;
}

/** An autoscaling/v1 Scale of a Deployment or ReplicaSet. */
function scaleOf(object: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: Number(field(object, 'spec', 'replicas') ?? 0) },
    status: {
      replicas: Number(field(object, 'status', 'replicas') ?? 0),
      selector: selectorText(field(object, 'spec', 'selector')),
    },
  };
}

/** GET, PUT and PATCH of `deployments/scale` and `replicasets/scale`. */
export function handleScale(context: ClusterContext, request: ResourceRequest): ResourceResponse {
  const current = stored(context, request);
  if (request.method === 'GET') return { code: 200, body: scaleOf(current) };
  const scale = scaleOf(current);
  const next =
    request.method === 'PATCH'
      ? (applyPatch(
          scale as Record<string, unknown>,
          request.contentType,
          request.body,
        ) as KubeObject)
      : (request.body as KubeObject);
  const rv = next.metadata?.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) {
    throw errors.conflict(request.type, current.metadata.name);
  }
  const replicas = Number(field(next, 'spec', 'replicas'));
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid(
      request.type,
      current.metadata.name,
      'spec.replicas',
      `Invalid value: ${replicas}: must be greater than or equal to 0`,
    );
  }
  record(current.spec).replicas = replicas;
  if (request.query.get('dryRun') === 'All') return { code: 200, body: scaleOf(current) };
  const written = context.store.replace(request.type, {
    ...current,
    metadata: { ...current.metadata, generation: (current.metadata.generation ?? 1) + 1 },
  });
  return { code: 200, body: scaleOf(written) };
}

/** The status subresource: GET, or a write that changes only status. */
export function handleStatus(context: ClusterContext, request: ResourceRequest): ResourceResponse {
  if (request.method === 'GET') return { code: 200, body: stored(context, request) };
  return request.method === 'PATCH'
    ? patchObject(context, request)
    : replaceObject(context, request);
}

/** `pods/log`: the container (default: the annotated default, or the only one), text/plain. */
export function handleLog(context: ClusterContext, request: ResourceRequest): ResourceResponse {
  const pod = stored(context, request);
  const containers = ((field(pod, 'spec', 'containers') ?? []) as { name: string }[]).map(
    (c) => c.name,
  );
  const named =
    request.query.get('container') ??
    pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (named === undefined && containers.length > 1) {
    throw errors.badRequest(
      `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`,
    );
  }
  const container = named ?? containers[0]!;
  if (!containers.includes(container)) {
    throw errors.badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  }
  const number = (key: string) => {
    const value = request.query.get(key);
    return value === null ? undefined : Number(value);
  };
  const text = context.logs.read(
    { name: pod.metadata.name, uid: pod.metadata.uid! },
    container,
    {
      previous: request.query.get('previous') === 'true',
      ...(number('tailLines') === undefined ? {} : { tailLines: number('tailLines')! }),
      ...(number('sinceSeconds') === undefined ? {} : { sinceSeconds: number('sinceSeconds')! }),
      ...(number('limitBytes') === undefined ? {} : { limitBytes: number('limitBytes')! }),
      timestamps: request.query.get('timestamps') === 'true',
    },
    context.clock.now(),
  );
  return { code: 200, text };
}

/**
 * `pods/eviction` (policy/v1): the pod is deleted gracefully unless a PodDisruptionBudget would
 * be violated; then the real 429, without Retry-After, which makes `kubectl drain` retry every
 * 5 s.
 */
export function handleEviction(
  context: ClusterContext,
  request: ResourceRequest,
): ResourceResponse {
  const pod = stored(context, request);
  const budget = blockingBudget(context, pod);
  if (budget) {
    throw new ApiError(
      failure(
        429,
        'TooManyRequests',
        "Cannot evict pod as it would violate the pod's disruption budget.",
        {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: `The disruption budget ${budget.pdb.metadata.name} needs ${budget.desired} healthy pods and has ${budget.healthy} currently`,
            },
          ],
        },
      ),
    );
  }
  const grace = field(request.body, 'deleteOptions', 'gracePeriodSeconds');
  deletePodGracefully(context, pod, typeof grace === 'number' ? grace : undefined);
  context.events.record({
    about: pod,
    type: 'Normal',
    reason: 'Evicted',
    message: 'Evicted pod',
    component: 'eviction',
  });
  return { code: 201, body: success(201) };
}
