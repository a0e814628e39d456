import { field, type KubeObject } from './objects.ts';
import type { ResourceType } from './resources.ts';
import { selectorText } from './selectors.ts';
import { ageOf, humanDuration } from './time-format.ts';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: 'name';
  /** 0: always shown; 1: only with `-o wide`. */
  priority: 0 | 1;
  cell: (object: KubeObject, now: number) => string | number;
}

const col = (
  name: string,
  cell: Column['cell'],
  priority: 0 | 1 = 0,
  type: Column['type'] = 'string',
): Column => ({ name, type, priority, cell });
const nameColumn: Column = { ...col('Name', (o) => o.metadata.name), format: 'name' };
const ageColumn = col('Age', (o, now) => ageOf(o.metadata.creationTimestamp, now));
const num = (value: unknown) => (typeof value === 'number' ? value : 0);

type Container = { name: string; image: string };
const containersOf = (o: KubeObject): Container[] =>
  (field(o, 'spec', 'template', 'spec', 'containers') ?? []) as Container[];
const workloadWide = [
  col(
    'Containers',
    (o) =>
      containersOf(o)
        .map((c) => c.name)
        .join(','),
    1,
  ),
  col(
    'Images',
    (o) =>
      containersOf(o)
        .map((c) => c.image)
        .join(','),
    1,
  ),
  col('Selector', (o) => selectorText(field(o, 'spec', 'selector')), 1),
];

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  state?: Record<string, { reason?: string; exitCode?: number }>;
  lastState?: { terminated?: { finishedAt?: string } };
}

/** The STATUS column, as kubectl's printPod reads a pod (a waiting or terminated reason wins). */
export function podStatusText(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp !== undefined) return 'Terminating';
  let reason = String(field(pod, 'status', 'reason') ?? field(pod, 'status', 'phase') ?? 'Pending');
  const statuses = (field(pod, 'status', 'containerStatuses') ?? []) as ContainerStatus[];
  for (const s of [...statuses].reverse()) {
    const waiting = s.state?.waiting?.reason;
    const terminated = s.state?.terminated;
    if (waiting) reason = waiting;
    else if (terminated) reason = terminated.reason ?? `ExitCode:${terminated.exitCode ?? 0}`;
  }
  return reason;
}

function restartsText(pod: KubeObject, now: number): string {
  const statuses = (field(pod, 'status', 'containerStatuses') ?? []) as ContainerStatus[];
  const restarts = statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
  const last = statuses
    .map((s) => s.lastState?.terminated?.finishedAt)
    .filter((t): t is string => t !== undefined)
    .sort()
    .pop();
  return restarts > 0 && last
    ? `${restarts} (${humanDuration(now - Date.parse(last))} ago)`
    : String(restarts);
}

function nodeStatusText(node: KubeObject): string {
  const conditions = (field(node, 'status', 'conditions') ?? []) as {
    type: string;
    status: string;
  }[];
  const ready = conditions.find((c) => c.type === 'Ready');
  // As printNode: any status but True (False or Unknown) reads NotReady.
  const text = ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return field(node, 'spec', 'unschedulable') === true ? `${text},SchedulingDisabled` : text;
}

const intOrPercent = (v: unknown) => (v === undefined ? 'N/A' : String(v));

/** The columns of each kind, as the API server's printers (pkg/printers/internalversion). */
const COLUMNS: Record<string, Column[]> = {
  Deployment: [
    nameColumn,
    col(
      'Ready',
      (o) => `${num(field(o, 'status', 'readyReplicas'))}/${num(field(o, 'spec', 'replicas'))}`,
    ),
    col('Up-to-date', (o) => num(field(o, 'status', 'updatedReplicas')), 0, 'integer'),
    col('Available', (o) => num(field(o, 'status', 'availableReplicas')), 0, 'integer'),
    ageColumn,
    ...workloadWide,
  ],
  ReplicaSet: [
    nameColumn,
    col('Desired', (o) => num(field(o, 'spec', 'replicas')), 0, 'integer'),
    col('Current', (o) => num(field(o, 'status', 'replicas')), 0, 'integer'),
    col('Ready', (o) => num(field(o, 'status', 'readyReplicas')), 0, 'integer'),
    ageColumn,
    ...workloadWide,
  ],
  Pod: [
    nameColumn,
    col('Ready', (o) => {
      const statuses = (field(o, 'status', 'containerStatuses') ?? []) as ContainerStatus[];
      const total = ((field(o, 'spec', 'containers') ?? []) as unknown[]).length;
      return `${statuses.filter((s) => s.ready).length}/${total}`;
    }),
    col('Status', podStatusText),
    col('Restarts', restartsText),
    ageColumn,
    col('IP', (o) => String(field(o, 'status', 'podIP') ?? '<none>'), 1),
    col('Node', (o) => String(field(o, 'spec', 'nodeName') ?? '<none>'), 1),
    col('Nominated Node', () => '<none>', 1),
    col('Readiness Gates', () => '<none>', 1),
  ],
  Node: [
    nameColumn,
    col('Status', nodeStatusText),
    col('Roles', () => '<none>'),
    ageColumn,
    col('Version', (o) => String(field(o, 'status', 'nodeInfo', 'kubeletVersion') ?? '')),
    col(
      'Internal-IP',
      (o) => {
        const addresses = (field(o, 'status', 'addresses') ?? []) as {
          type: string;
          address: string;
        }[];
        return addresses.find((a) => a.type === 'InternalIP')?.address ?? '<none>';
      },
      1,
    ),
    col('External-IP', () => '<none>', 1),
    col('OS-Image', (o) => String(field(o, 'status', 'nodeInfo', 'osImage') ?? ''), 1),
    col('Kernel-Version', (o) => String(field(o, 'status', 'nodeInfo', 'kernelVersion') ?? ''), 1),
    col(
      'Container-Runtime',
      (o) => String(field(o, 'status', 'nodeInfo', 'containerRuntimeVersion') ?? ''),
      1,
    ),
  ],
  Event: [
    col('Last Seen', (o, now) => ageOf(o.lastTimestamp ?? o.eventTime, now)),
    col('Type', (o) => String(o.type ?? '')),
    col('Reason', (o) => String(o.reason ?? '')),
    col('Object', (o) => {
      const kind = String(field(o, 'involvedObject', 'kind') ?? '').toLowerCase();
      return `${kind}/${String(field(o, 'involvedObject', 'name') ?? '')}`;
    }),
    col('Message', (o) => String(o.message ?? '')),
  ],
  Namespace: [
    nameColumn,
    col('Status', (o) => String(field(o, 'status', 'phase') ?? '')),
    ageColumn,
  ],
  Lease: [
    nameColumn,
    col('Holder', (o) => String(field(o, 'spec', 'holderIdentity') ?? '')),
    ageColumn,
  ],
  PodDisruptionBudget: [
    nameColumn,
    col('Min Available', (o) => intOrPercent(field(o, 'spec', 'minAvailable'))),
    col('Max Unavailable', (o) => intOrPercent(field(o, 'spec', 'maxUnavailable'))),
    col('Allowed Disruptions', (o) => num(field(o, 'status', 'disruptionsAllowed')), 0, 'integer'),
    ageColumn,
  ],
};

const TABLE_MEDIA = /application\/json;as=Table;v=(v1|v1beta1);g=meta\.k8s\.io/;

/** The Table version the client asks for in Accept (kubectl get sends v1 then v1beta1), if any. */
export function wantsTable(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  const entry = (accept ?? '').split(',').map((e) => e.replaceAll(' ', ''))[0] ?? '';
  return TABLE_MEDIA.exec(entry)?.[1] as 'v1' | 'v1beta1' | undefined;
}

/**
 * A meta.k8s.io Table of `objects`, the server-side printing `kubectl get` relies on for its
 * columns. Each row carries the object's metadata (includeObject=Metadata, the default), or the
 * whole object with includeObject=Object.
 */
export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  options: {
    version: 'v1' | 'v1beta1';
    now: number;
    resourceVersion: string;
    includeObject: string | null;
  },
): unknown {
  const columns = COLUMNS[type.kind] ?? [nameColumn, ageColumn];
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: { resourceVersion: options.resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: '',
      priority: c.priority,
    })),
    rows: objects.map((o) => ({
      cells: columns.map((c) => c.cell(o, options.now)),
      object:
        options.includeObject === 'None'
          ? undefined
          : options.includeObject === 'Object'
            ? o
            : {
                kind: 'PartialObjectMetadata',
                apiVersion: `meta.k8s.io/${options.version}`,
                metadata: o.metadata,
              },
    })),
  };
}
