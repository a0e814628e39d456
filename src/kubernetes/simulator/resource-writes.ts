import { randomUUID } from 'node:crypto';
import type { ResourceRequest, ResourceResponse } from './api-request.ts';
import { errors, success } from './api-status.ts';
import { type ClusterContext, TYPES } from './cluster-context.ts';
import { deletePodGracefully } from './controllers/replicaset-controller.ts';
import {
  applyDefaults,
  applyUpdateRules,
  immutableChange,
  initialGeneration,
  pruneNulls,
} from './defaults.ts';
import { clone, type KubeObject } from './objects.ts';
import { applyPatch } from './patches.ts';
import { groupVersion } from './resources.ts';
import { rfc3339 } from './time-format.ts';

const dryRun = (request: ResourceRequest) => request.query.get('dryRun') === 'All';

function bodyObject(request: ResourceRequest): KubeObject {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw errors.badRequest(`the body of the request must be a ${request.type.kind} object`);
  }
  const object = pruneNulls(clone(body)) as KubeObject;
  object.metadata = { ...(object.metadata ?? {}) } as KubeObject['metadata'];
  return object;
}

function checkNamespace(
  context: ClusterContext,
  request: ResourceRequest,
  object: KubeObject,
): void {
  if (!request.type.namespaced) {
    delete object.metadata.namespace;
    return;
  }
  const namespace = request.namespace ?? object.metadata.namespace;
  if (object.metadata.namespace !== undefined && object.metadata.namespace !== namespace) {
    throw errors.badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  object.metadata.namespace = namespace;
  if (!context.store.get(TYPES.namespace, undefined, namespace!)) {
    throw errors.notFound(TYPES.namespace, namespace!);
  }
}

/** POST: a new object, defaulted like the API server does; 409 AlreadyExists for a taken name. */
export function createObject(context: ClusterContext, request: ResourceRequest): ResourceResponse {
  const object = bodyObject(request);
  const { type } = request;
  if (!object.metadata.name && typeof object.metadata.generateName === 'string') {
    object.metadata.name = `${object.metadata.generateName}${randomUUID().slice(0, 5)}`;
  }
  if (!object.metadata.name) {
    throw errors.invalid(
      type,
      '',
      'metadata.name',
      'Required value: name or generateName is required',
    );
  }
  checkNamespace(context, request, object);
  applyDefaults(type.kind, object);
  initialGeneration(type.kind, object);
  if (type.kind === 'Deployment' || type.kind === 'ReplicaSet' || type.kind === 'Pod')
    delete object.status;
  if (dryRun(request)) {
    if (context.store.get(type, object.metadata.namespace, object.metadata.name)) {
      throw errors.alreadyExists(type, object.metadata.name);
    }
    return {
      code: 201,
      body: {
        ...object,
        apiVersion: groupVersion(type),
        kind: type.kind,
        metadata: {
          ...object.metadata,
          uid: randomUUID(),
          creationTimestamp: rfc3339(context.clock.now()),
        },
      },
    };
  }
  return { code: 201, body: context.store.create(type, object) };
}

/** Writes `next` over `stored` with the update rules, or only checks it under dryRun. */
function write(
  context: ClusterContext,
  request: ResourceRequest,
  stored: KubeObject,
  next: KubeObject,
): ResourceResponse {
  const { type } = request;
  const expected = next.metadata.resourceVersion;
  next.metadata.name = stored.metadata.name;
  if (type.namespaced) next.metadata.namespace = stored.metadata.namespace;
  applyDefaults(type.kind, next);
  const subresource = request.subresource === 'status' ? 'status' : undefined;
  applyUpdateRules(type.kind, stored, next, subresource);
  const immutable = immutableChange(type.kind, stored, next);
  if (immutable) throw errors.invalid(type, stored.metadata.name, immutable[0], immutable[1]);
  if (expected !== undefined && expected !== '' && expected !== stored.metadata.resourceVersion) {
    throw errors.conflict(type, stored.metadata.name);
  }
  if (dryRun(request)) return { code: 200, body: next };
  return { code: 200, body: context.store.replace(type, next, stored.metadata.resourceVersion) };
}

function stored(context: ClusterContext, request: ResourceRequest): KubeObject {
  const object = context.store.get(request.type, request.namespace, request.name!);
  if (!object) throw errors.notFound(request.type, request.name!);
  return object;
}

/** PUT: replaces the object; a stale metadata.resourceVersion is 409 Conflict. */
export function replaceObject(context: ClusterContext, request: ResourceRequest): ResourceResponse {
  const current = stored(context, request);
  const next = bodyObject(request);
  if (next.metadata.name !== undefined && next.metadata.name !== request.name) {
    throw errors.badRequest(
      `the name of the object (${next.metadata.name}) does not match the name on the URL (${request.name})`,
    );
  }
  return write(context, request, current, next);
}

/** PATCH: strategic merge, merge or JSON patch on the stored object (415 for other types). */
export function patchObject(context: ClusterContext, request: ResourceRequest): ResourceResponse {
  const current = stored(context, request);
  const patched = pruneNulls(
    applyPatch(clone(current) as Record<string, unknown>, request.contentType, request.body),
  ) as KubeObject;
  patched.metadata = { ...(patched.metadata ?? {}) } as KubeObject['metadata'];
  return write(context, request, current, patched);
}

/**
 * DELETE: a pod on a node is deleted gracefully (the answer is the pod with its
 * deletionTimestamp; the DELETED event follows when the kubelet is done); anything else goes at
 * once, answered with a Success Status. Preconditions on uid and resourceVersion give 409.
 */
export function deleteObject(context: ClusterContext, request: ResourceRequest): ResourceResponse {
  const current = stored(context, request);
  const options = (request.body ?? {}) as {
    gracePeriodSeconds?: number;
    preconditions?: { uid?: string; resourceVersion?: string };
  };
  const pre = options.preconditions;
  if (
    (pre?.uid && pre.uid !== current.metadata.uid) ||
    (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
  ) {
    throw errors.conflict(request.type, current.metadata.name);
  }
  const grace = request.query.get('gracePeriodSeconds') ?? options.gracePeriodSeconds;
  if (dryRun(request)) return { code: 200, body: current };
  if (request.type === TYPES.pod) {
    const result = deletePodGracefully(
      context,
      current,
      grace === undefined ? undefined : Number(grace),
    );
    return { code: 200, body: result };
  }
  context.store.remove(request.type, current.metadata.namespace, current.metadata.name);
  return {
    code: 200,
    body: success(200, {
      name: current.metadata.name,
      group: request.type.group,
      kind: request.type.name,
      uid: current.metadata.uid,
    }),
  };
}
