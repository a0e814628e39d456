import type { ObjectStore } from './object-store.ts';
import { field, type KubeObject } from './objects.ts';
import { RESOURCES, type ResourceType } from './resources.ts';

/** Who a bearer token is. */
export interface User {
  name: string;
  groups: string[];
}

/** A token the simulator accepts, and the user it stands for. */
export interface TokenUser {
  token: string;
  user: string;
  groups?: string[];
}

/** What a request asks to do, in RBAC's terms (authorizer.Attributes). */
export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/**
 * The user a token stands for, with the groups the API server adds: system:authenticated for
 * everyone, and for a service account system:serviceaccounts and system:serviceaccounts:NS.
 */
export function authenticate(
  tokens: readonly TokenUser[],
  header: string | undefined,
): User | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  const found = token === undefined ? undefined : tokens.find((t) => t.token === token);
  if (!found) return undefined;
  const groups = [...(found.groups ?? []), 'system:authenticated'];
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(found.user);
  if (sa) groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
  return { name: found.user, groups };
}

interface Rule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

const type = (kind: string) => RESOURCES.find((r) => r.kind === kind) as ResourceType;

/**
 * RBAC as the real authorizer evaluates it: system:masters may do anything; otherwise a request
 * is allowed when a rule of a role bound to the user (ClusterRoleBindings everywhere,
 * RoleBindings in their namespace) covers its verb, group, resource (with subresource, as
 * `deployments/scale`) and, when the rule names any, resource name. Roles live in the store
 * as real objects, so `kubectl get clusterrole` shows what decides.
 */
export function authorize(store: ObjectStore, user: User, request: Attributes): boolean {
  if (user.groups.includes('system:masters')) return true;
  const bindings: { binding: KubeObject; namespace?: string }[] = [
    ...store.list(type('ClusterRoleBinding')).map((binding) => ({ binding })),
    ...(request.namespace === undefined
      ? []
      : store
          .list(type('RoleBinding'), request.namespace)
          .map((binding) => ({ binding, namespace: request.namespace }))),
  ];
  for (const { binding, namespace } of bindings) {
    const subjects = (binding.subjects ?? []) as Subject[];
    if (!subjects.some((s) => subjectIs(s, user))) continue;
    const roleRef = binding.roleRef as { kind: string; name: string } | undefined;
    if (!roleRef) continue;
    const role =
      roleRef.kind === 'ClusterRole'
        ? store.get(type('ClusterRole'), undefined, roleRef.name)
        : store.get(type('Role'), namespace, roleRef.name);
    const rules = (field(role, 'rules') ?? []) as Rule[];
    if (rules.some((rule) => covers(rule, request))) return true;
  }
  return false;
}

function subjectIs(subject: Subject, user: User): boolean {
  if (subject.kind === 'User') return subject.name === user.name;
  if (subject.kind === 'Group') return user.groups.includes(subject.name);
  if (subject.kind === 'ServiceAccount') {
    return user.name === `system:serviceaccount:${subject.namespace}:${subject.name}`;
  }
  return false;
}

function covers(rule: Rule, request: Attributes): boolean {
  const has = (list: string[] | undefined, value: string) =>
    (list ?? []).includes('*') || (list ?? []).includes(value);
  const resource =
    request.subresource === undefined
      ? request.resource
      : `${request.resource}/${request.subresource}`;
  const resources = rule.resources ?? [];
  const resourceMatches =
    resources.includes('*') ||
    resources.includes(resource) ||
    (request.subresource !== undefined && resources.includes(`*/${request.subresource}`));
  const names = rule.resourceNames ?? [];
  const nameMatches =
    names.length === 0 || (request.name !== undefined && names.includes(request.name));
  return (
    has(rule.verbs, request.verb) &&
    has(rule.apiGroups, request.group) &&
    resourceMatches &&
    nameMatches
  );
}

/**
 * The real 403 text: `deployments.apps "web" is forbidden: User "U" cannot patch resource
 * "deployments/scale" in API group "apps" in the namespace "shop"`.
 */
export function forbiddenMessage(user: User, request: Attributes): string {
  const qualified =
    request.group === '' ? request.resource : `${request.resource}.${request.group}`;
  const subject = request.name === undefined ? qualified : `${qualified} "${request.name}"`;
  const resource =
    request.subresource === undefined
      ? request.resource
      : `${request.resource}/${request.subresource}`;
  const scope =
    request.namespace === undefined
      ? 'at the cluster scope'
      : `in the namespace "${request.namespace}"`;
  return `${subject} is forbidden: User "${user.name}" cannot ${request.verb} resource "${resource}" in API group "${request.group}" ${scope}`;
}
