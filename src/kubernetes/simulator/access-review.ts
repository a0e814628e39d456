import type { ResourceRequest, ResourceResponse } from './api-request.ts';
import { errors } from './api-status.ts';
import { authorize } from './authorization.ts';
import type { ClusterContext } from './cluster-context.ts';
import { field } from './objects.ts';

/**
 * POST selfsubjectaccessreviews: may the asking user do this? What `kubectl auth can-i`
 * asks, and what mend's permission preflight will.
 */
export function reviewAccess(context: ClusterContext, request: ResourceRequest): ResourceResponse {
  const attributes = field(request.body, 'spec', 'resourceAttributes') as
    | Record<string, string>
    | undefined;
  const nonResource = field(request.body, 'spec', 'nonResourceAttributes');
  if (!attributes && !nonResource) {
    throw errors.invalid(
      request.type,
      '',
      'spec',
      'Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  }
  const allowed = attributes
    ? authorize(context.store, request.user, {
        verb: attributes.verb ?? '',
        group: attributes.group ?? '',
        resource: attributes.resource ?? '',
        ...(attributes.subresource ? { subresource: attributes.subresource } : {}),
        ...(attributes.namespace ? { namespace: attributes.namespace } : {}),
        ...(attributes.name ? { name: attributes.name } : {}),
      })
    : request.user.groups.includes('system:masters');
  return {
    code: 201,
    body: {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: field(request.body, 'spec'),
      status: allowed
        ? { allowed: true, reason: "allowed by the simulator's RBAC" }
        : { allowed: false },
    },
  };
}
