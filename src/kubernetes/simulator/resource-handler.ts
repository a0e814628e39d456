import { reviewAccess } from './access-review.ts';
import type { ResourceRequest, ResourceResponse } from './api-request.ts';
import { errors } from './api-status.ts';
import type { ClusterContext } from './cluster-context.ts';
import { getObject, listObjects } from './resource-reads.ts';
import { createObject, deleteObject, patchObject, replaceObject } from './resource-writes.ts';
import { handleEviction, handleLog, handleScale, handleStatus } from './subresources.ts';

/** Routes one resource request to the handler of its verb and subresource. */
export function handleResource(
  context: ClusterContext,
  request: ResourceRequest,
): ResourceResponse {
  const { method, name, subresource, type } = request;
  if (type.name === 'selfsubjectaccessreviews') {
    if (method !== 'POST')
      throw errors.methodNotAllowed(
        `the server does not allow this method on the requested resource`,
      );
    return reviewAccess(context, request);
  }
  if (subresource === 'scale' && ['GET', 'PUT', 'PATCH'].includes(method))
    return handleScale(context, request);
  if (subresource === 'status' && ['GET', 'PUT', 'PATCH'].includes(method))
    return handleStatus(context, request);
  if (subresource === 'log' && method === 'GET') return handleLog(context, request);
  if (subresource === 'eviction' && method === 'POST') return handleEviction(context, request);
  if (subresource !== undefined) {
    throw errors.methodNotAllowed(
      `the server does not allow this method on the requested resource`,
    );
  }
  if (name === undefined) {
    if (method === 'GET') return listObjects(context, request);
    if (method === 'POST') return createObject(context, request);
  } else {
    if (method === 'GET') return getObject(context, request);
    if (method === 'PUT') return replaceObject(context, request);
    if (method === 'PATCH') return patchObject(context, request);
    if (method === 'DELETE') return deleteObject(context, request);
  }
  throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
}
