/**
 * One permission, as RBAC and a SelfSubjectAccessReview name it: a verb on a resource (with its
 * subresource: `deployments/scale`, `pods/eviction`, `pods/log`) of an API group, in a namespace
 * (absent: at the cluster scope, a ClusterRole's rule), through a kubeconfig context (absent:
 * the current one).
 */
export interface KubePermission {
  verb: string;
  /** The API group: '' for core (pods, nodes, events), 'apps' for deployments. */
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  context?: string;
}

/**
 * What a Kubernetes step kind asks the API server, declared next to the kind: `namespace` in the
 * namespace the step acts in (a Role there), `cluster` for a cluster-scoped resource (nodes) or
 * a namespaced one across every namespace (drain lists the node's pods everywhere): a
 * ClusterRole.
 */
export interface KubeNeed {
  verb: 'get' | 'list' | 'watch' | 'create' | 'patch' | 'delete';
  group: string;
  resource: string;
  subresource?: string;
  scope: 'namespace' | 'cluster';
}

/** Shorthand for the step kinds' tables: `need('patch', 'apps', 'deployments/scale')`. */
export function need(
  verb: KubeNeed['verb'],
  group: string,
  resource: string,
  scope: KubeNeed['scope'] = 'namespace',
): KubeNeed {
  const [name, subresource] = resource.split('/') as [string, string | undefined];
  return { verb, group, resource: name, ...(subresource ? { subresource } : {}), scope };
}

/** The needs placed: in `namespace` (namespace-scoped needs), through `context`. */
export function placeNeeds(
  needs: readonly KubeNeed[],
  where: { namespace: string | undefined; context: string | undefined },
): KubePermission[] {
  return needs.map((n) => ({
    verb: n.verb,
    group: n.group,
    resource: n.resource,
    ...(n.subresource !== undefined ? { subresource: n.subresource } : {}),
    ...(n.scope === 'namespace' && where.namespace !== undefined
      ? { namespace: where.namespace }
      : {}),
    ...(where.context !== undefined ? { context: where.context } : {}),
  }));
}

/** `deployments/scale`: the resource as a Role's rule and kubectl's 403 name it. */
export function resourceText(p: Pick<KubePermission, 'resource' | 'subresource'>): string {
  return p.subresource === undefined ? p.resource : `${p.resource}/${p.subresource}`;
}

/** One stable key per permission (context, namespace, group, resource, verb). */
export function permissionKey(p: KubePermission): string {
  return [p.context ?? '', p.namespace ?? '', p.group, resourceText(p), p.verb].join('\u0000');
}

/**
 * A permission in words, as an operator fixes it: `patch deployments/scale (API group "apps")
 * in namespace "shop"`, `at the cluster scope`, with the context when not the current one.
 */
export function permissionText(p: KubePermission): string {
  const group = p.group === '' ? 'core API group' : `API group "${p.group}"`;
  const scope =
    p.namespace === undefined ? 'at the cluster scope' : `in namespace "${p.namespace}"`;
  const context = p.context === undefined ? '' : ` (context "${p.context}")`;
  return `${p.verb} ${resourceText(p)} (${group}) ${scope}${context}`;
}

/** Each permission once, in a stable order (context, namespace, group, resource, verb). */
export function distinctPermissions(list: Iterable<KubePermission>): KubePermission[] {
  const byKey = new Map<string, KubePermission>();
  for (const p of list) byKey.set(permissionKey(p), p);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}
