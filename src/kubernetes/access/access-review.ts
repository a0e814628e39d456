import type { KubeClient } from '../client/kube-client.ts';
import type { KubePermission } from './permission.ts';

export const SSAR_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/** What the API server answered: allowed or not, and its reason when it gave one. */
export interface AccessAnswer {
  allowed: boolean;
  reason: string | undefined;
}

/**
 * May mend's own identity do this? A SelfSubjectAccessReview (what `kubectl auth can-i` posts),
 * which every authenticated identity may create. A failure to ask (no answer, a 5xx after the
 * client's retries) rejects: that is "not known", never "denied".
 */
export async function reviewAccess(
  client: KubeClient,
  p: KubePermission,
  signal: AbortSignal,
): Promise<AccessAnswer> {
  const answer = await client.json<{ status?: { allowed?: unknown; reason?: unknown } }>({
    method: 'POST',
    path: SSAR_PATH,
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: {
          verb: p.verb,
          group: p.group,
          resource: p.resource,
          ...(p.subresource !== undefined ? { subresource: p.subresource } : {}),
          ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
        },
      },
    },
    signal,
  });
  if (typeof answer.status?.allowed !== 'boolean') {
    throw new Error(`${SSAR_PATH}: the answer has no status.allowed`);
  }
  return {
    allowed: answer.status.allowed,
    reason: typeof answer.status.reason === 'string' ? answer.status.reason : undefined,
  };
}
