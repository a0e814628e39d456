/**
 * The resource types the simulator serves: one table read by discovery, routing, RBAC, Tables
 * and field selectors, so a resource is one entry here. The verbs, short names and field labels
 * are the real API server's (kubernetes/pkg/registry/.../strategy.go GetAttrs).
 */
export interface SubresourceType {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceType {
  /** Plural, as in URLs: `deployments`. */
  name: string;
  singular: string;
  kind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceType[];
  /** Field selector labels beyond metadata.name and metadata.namespace. */
  fieldLabels?: string[];
}

const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
const SCALE: SubresourceType = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: ['get', 'patch', 'update'],
};
const status = (kind: string): SubresourceType => ({
  name: 'status',
  kind,
  verbs: ['get', 'patch', 'update'],
});

export const RESOURCES: readonly ResourceType[] = [
  {
    name: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    group: '',
    version: 'v1',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    subresources: [status('Namespace')],
    fieldLabels: ['status.phase'],
  },
  {
    name: 'nodes',
    singular: 'node',
    kind: 'Node',
    group: '',
    version: 'v1',
    namespaced: false,
    verbs: ALL_VERBS,
    shortNames: ['no'],
    subresources: [status('Node')],
    fieldLabels: ['spec.unschedulable'],
  },
  {
    name: 'pods',
    singular: 'pod',
    kind: 'Pod',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      status('Pod'),
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    ],
    fieldLabels: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  },
  {
    name: 'events',
    singular: 'event',
    kind: 'Event',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['ev'],
    fieldLabels: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  },
  {
    name: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['sa'],
  },
  {
    name: 'services',
    singular: 'service',
    kind: 'Service',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [status('Service')],
  },
  {
    name: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    kind: 'PersistentVolumeClaim',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['pvc'],
    subresources: [status('PersistentVolumeClaim')],
  },
  {
    name: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['cm'],
  },
  {
    name: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [SCALE, status('Deployment')],
  },
  {
    name: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [SCALE, status('ReplicaSet')],
    fieldLabels: ['status.replicas'],
  },
  {
    name: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    group: 'policy',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
    shortNames: ['pdb'],
    subresources: [status('PodDisruptionBudget')],
  },
  ...['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map(
    (kind): ResourceType => ({
      name: `${kind.toLowerCase()}s`,
      singular: kind.toLowerCase(),
      kind,
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      namespaced: !kind.startsWith('Cluster'),
      verbs: ALL_VERBS,
    }),
  ),
  {
    // What controllers elect a leader with (client-go's leaderelection, mend's replicas).
    name: 'leases',
    singular: 'lease',
    kind: 'Lease',
    group: 'coordination.k8s.io',
    version: 'v1',
    namespaced: true,
    verbs: ALL_VERBS,
  },
  {
    name: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    group: 'authorization.k8s.io',
    version: 'v1',
    namespaced: false,
    verbs: ['create'],
  },
];

/** `apps/v1`, or `v1` for the core group. */
export function groupVersion(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** `deployments.apps`, or `pods`: how the API server names a resource in its messages. */
export function qualifiedName(type: ResourceType): string {
  return type.group === '' ? type.name : `${type.name}.${type.group}`;
}

export function findResource(
  group: string,
  version: string,
  name: string,
): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.name === name);
}

export function resourceOfKind(kind: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.kind === kind);
}

/** The groups in discovery order (the core group first, served under /api). */
export function apiGroups(): { group: string; version: string; resources: ResourceType[] }[] {
  const groups = new Map<string, { group: string; version: string; resources: ResourceType[] }>();
  for (const r of RESOURCES) {
    const key = groupVersion(r);
    const entry = groups.get(key) ?? { group: r.group, version: r.version, resources: [] };
    entry.resources.push(r);
    groups.set(key, entry);
  }
  return [...groups.values()];
}
