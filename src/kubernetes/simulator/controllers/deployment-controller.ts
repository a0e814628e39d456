import { type ClusterContext, TYPES } from '../cluster-context.ts';
import { clone, controllerOf, field, type KubeObject, record } from '../objects.ts';
import { rfc3339 } from '../time-format.ts';
import { podReady } from './pod-state.ts';
import { podsOf } from './replicaset-controller.ts';
import { HASH_LABEL, sameTemplate, surgeAndUnavailable, templateHash } from './rollout-math.ts';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';

const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION] ?? 0);
const replicasOf = (rs: KubeObject) => Number(field(rs, 'spec', 'replicas') ?? 0);

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

/**
 * The Deployment controller: one ReplicaSet per pod template, named `DEPLOY-HASH` with the
 * pod-template-hash label and a controller ownerReference; revisions on every ReplicaSet and
 * on the Deployment, with an old ReplicaSet re-used (and its old number kept in
 * revision-history) when a rollback brings its template back; RollingUpdate within maxSurge
 * and maxUnavailable, or Recreate; old ReplicaSets beyond revisionHistoryLimit removed; and the
 * status `kubectl rollout status` reads, with the Available and Progressing conditions
 * (ProgressDeadlineExceeded after progressDeadlineSeconds without progress).
 */
export function reconcileDeployments(context: ClusterContext): void {
  for (const deployment of context.store.list(TYPES.deployment)) reconcileOne(context, deployment);
}

function reconcileOne(context: ClusterContext, d: KubeObject): void {
  const { store, events } = context;
  const spec = record(d.spec ?? {});
  const replicas = Number(spec.replicas ?? 1);
  const owned = () =>
    store
      .list(TYPES.replicaSet, d.metadata.namespace)
      .filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
  const scaleRs = (rs: KubeObject, to: number) => {
    const from = replicasOf(rs);
    if (from === to) return;
    store.update(TYPES.replicaSet, rs.metadata.namespace, rs.metadata.name, (current) => {
      record(current.spec).replicas = to;
      current.metadata.annotations = {
        ...(current.metadata.annotations ?? {}),
        'deployment.kubernetes.io/desired-replicas': String(replicas),
        'deployment.kubernetes.io/max-replicas': String(replicas + surgeAndUnavailable(spec).surge),
      };
      return true;
    });
    events.record({
      about: d,
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`,
      component: 'deployment-controller',
    });
  };
  let all = owned();
  const maxRevision = Math.max(0, ...all.map(revisionOf));
  let newRs = all.find((rs) => sameTemplate(field(rs, 'spec', 'template'), spec.template));
  let created = false;
  if (!spec.paused) {
    if (!newRs) {
      newRs = createReplicaSet(context, d, maxRevision + 1);
      created = true;
    } else if (revisionOf(newRs) < maxRevision) {
      const old = revisionOf(newRs);
      newRs = store.update(
        TYPES.replicaSet,
        newRs.metadata.namespace,
        newRs.metadata.name,
        (rs) => {
          const annotations = { ...(rs.metadata.annotations ?? {}) };
          const history = annotations[REVISION_HISTORY];
          annotations[REVISION_HISTORY] = history ? `${history},${old}` : String(old);
          annotations[REVISION] = String(maxRevision + 1);
          rs.metadata.annotations = annotations;
          return true;
        },
      );
    }
    if (newRs && d.metadata.annotations?.[REVISION] !== String(revisionOf(newRs))) {
      const revision = String(revisionOf(newRs));
      store.update(TYPES.deployment, d.metadata.namespace, d.metadata.name, (current) => {
        current.metadata.annotations = {
          ...(current.metadata.annotations ?? {}),
          [REVISION]: revision,
        };
        return true;
      });
    }
    all = owned();
    newRs = all.find((rs) => rs.metadata.uid === newRs?.metadata.uid);
  }
  const old = all.filter((rs) => rs.metadata.uid !== newRs?.metadata.uid);
  if (spec.paused || !newRs) {
    // A paused Deployment is only scaled: its ReplicaSets keep their share.
  } else if (field(spec, 'strategy', 'type') === 'Recreate') {
    for (const rs of old) scaleRs(rs, 0);
    const oldPods = old.reduce((n, rs) => {
      const pods = podsOf(context, rs);
      return n + pods.active.length + pods.terminating.length;
    }, 0);
    if (oldPods === 0) scaleRs(newRs, replicas);
  } else {
    rollingUpdate(context, spec, newRs, old, scaleRs);
  }
  cleanupHistory(context, d, spec, newRs);
  writeStatus(context, d, created);
}

function rollingUpdate(
  context: ClusterContext,
  spec: Record<string, unknown>,
  newRs: KubeObject,
  old: KubeObject[],
  scaleRs: (rs: KubeObject, to: number) => void,
): void {
  const replicas = Number(spec.replicas ?? 1);
  const { surge, unavailable } = surgeAndUnavailable(spec);
  const available = (rs: KubeObject) => podsOf(context, rs).active.filter(podReady).length;
  const total = replicasOf(newRs) + old.reduce((n, rs) => n + replicasOf(rs), 0);
  if (replicasOf(newRs) > replicas) scaleRs(newRs, replicas);
  else if (replicasOf(newRs) < replicas) {
    const room = replicas + surge - total;
    if (room > 0) scaleRs(newRs, replicasOf(newRs) + Math.min(room, replicas - replicasOf(newRs)));
  }
  const fresh =
    context.store.get(TYPES.replicaSet, newRs.metadata.namespace, newRs.metadata.name) ?? newRs;
  const minAvailable = replicas - unavailable;
  const newUnavailable = replicasOf(fresh) - available(fresh);
  const allReplicas = replicasOf(fresh) + old.reduce((n, rs) => n + replicasOf(rs), 0);
  // First the old pods that are not available anyway: removing them costs no availability.
  let cleanup = allReplicas - minAvailable - newUnavailable;
  const remaining = new Map(old.map((rs) => [rs.metadata.uid, replicasOf(rs)]));
  for (const rs of [...old].sort((a, b) => revisionOf(a) - revisionOf(b))) {
    if (cleanup <= 0) break;
    const unhealthy = replicasOf(rs) - available(rs);
    const cut = Math.min(cleanup, unhealthy);
    if (cut > 0) {
      remaining.set(rs.metadata.uid, replicasOf(rs) - cut);
      cleanup -= cut;
    }
  }
  const availableNow =
    available(fresh) +
    old.reduce((n, rs) => n + Math.min(available(rs), remaining.get(rs.metadata.uid) ?? 0), 0);
  let scaleDown = availableNow - minAvailable;
  for (const rs of [...old].sort((a, b) => revisionOf(a) - revisionOf(b))) {
    const current = remaining.get(rs.metadata.uid) ?? 0;
    const cut = Math.max(0, Math.min(current, scaleDown));
    remaining.set(rs.metadata.uid, current - cut);
    scaleDown -= cut;
  }
  for (const rs of old) scaleRs(rs, remaining.get(rs.metadata.uid) ?? replicasOf(rs));
}

function createReplicaSet(context: ClusterContext, d: KubeObject, revision: number): KubeObject {
  const template = clone(record(field(d, 'spec', 'template') ?? {}));
  const hash = templateHash(template);
  const metadata = record(template.metadata ?? {});
  const labels = { ...record(metadata.labels ?? {}), [HASH_LABEL]: hash } as Record<string, string>;
  template.metadata = { ...metadata, labels };
  const selector = clone(record(field(d, 'spec', 'selector') ?? {}));
  selector.matchLabels = { ...record(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
  const spec = record(d.spec ?? {});
  const name = `${d.metadata.name}-${hash}`;
  const rs = context.store.create(TYPES.replicaSet, {
    metadata: {
      name,
      namespace: d.metadata.namespace,
      labels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(spec.replicas ?? 1),
        'deployment.kubernetes.io/max-replicas': String(
          Number(spec.replicas ?? 1) + surgeAndUnavailable(spec).surge,
        ),
        [REVISION]: String(revision),
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.metadata.name,
          uid: d.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      generation: 1,
    },
    spec: {
      replicas: 0,
      selector,
      template,
      ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}),
    },
    status: { replicas: 0, observedGeneration: 1 },
  });
  return rs;
}

/** Old ReplicaSets of `d` scaled to nothing, beyond its revisionHistoryLimit, oldest first. */
function cleanupHistory(
  context: ClusterContext,
  d: KubeObject,
  spec: Record<string, unknown>,
  newRs: KubeObject | undefined,
): void {
  const limit = Number(spec.revisionHistoryLimit ?? 10);
  const { store } = context;
  const candidates = store
    .list(TYPES.replicaSet)
    .filter(
      (rs) => rs.metadata.uid !== newRs?.metadata.uid && controllerOf(rs)?.uid === d.metadata.uid,
    )
    .filter((rs) => replicasOf(rs) === 0 && Number(field(rs, 'status', 'replicas') ?? 0) === 0)
    .sort((a, b) => revisionOf(a) - revisionOf(b));
  for (const rs of candidates.slice(0, Math.max(0, candidates.length - limit))) {
    store.remove(TYPES.replicaSet, rs.metadata.namespace, rs.metadata.name);
  }
}

function writeStatus(context: ClusterContext, d: KubeObject, created: boolean): void {
  const { store, clock } = context;
  const now = clock.now();
  const stamp = rfc3339(now);
  const all = store
    .list(TYPES.replicaSet, d.metadata.namespace)
    .filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
  const current = store.get(TYPES.deployment, d.metadata.namespace, d.metadata.name);
  if (!current) return;
  const spec = record(current.spec ?? {});
  const replicas = Number(spec.replicas ?? 1);
  const newRs = all.find((rs) => sameTemplate(field(rs, 'spec', 'template'), spec.template));
  const podsBy = all.map((rs) => ({ rs, pods: podsOf(context, rs).active }));
  const count = (
    pick: (rs: KubeObject) => boolean,
    filter: (p: KubeObject) => boolean = () => true,
  ) =>
    podsBy.filter(({ rs }) => pick(rs)).reduce((n, { pods }) => n + pods.filter(filter).length, 0);
  const total = count(() => true);
  const updated = newRs ? count((rs) => rs.metadata.uid === newRs.metadata.uid) : 0;
  const ready = count(() => true, podReady);
  const { unavailable } = surgeAndUnavailable(spec);
  const previous = record(current.status ?? {});
  const conditions = [...((previous.conditions ?? []) as Condition[])];
  const setCondition = (
    next: Omit<Condition, 'lastUpdateTime' | 'lastTransitionTime'>,
    touch: boolean,
  ) => {
    const at = conditions.findIndex((c) => c.type === next.type);
    const old = conditions[at];
    const same = old && old.status === next.status && old.reason === next.reason;
    const condition: Condition = {
      ...next,
      lastUpdateTime: same && !touch ? old.lastUpdateTime : stamp,
      lastTransitionTime: old && old.status === next.status ? old.lastTransitionTime : stamp,
    };
    if (at >= 0) conditions[at] = condition;
    else conditions.push(condition);
  };
  const minimum = ready >= replicas - unavailable;
  setCondition(
    minimum
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
    false,
  );
  const rsName = newRs?.metadata.name ?? d.metadata.name;
  const progressing = conditions.find((c) => c.type === 'Progressing');
  const complete = updated === replicas && total === replicas && ready === replicas;
  const oldReplicas = total - updated;
  const prevOld = Number(previous.replicas ?? 0) - Number(previous.updatedReplicas ?? 0);
  const progressed =
    created ||
    updated > Number(previous.updatedReplicas ?? 0) ||
    ready > Number(previous.readyReplicas ?? 0) ||
    ready > Number(previous.availableReplicas ?? 0) ||
    oldReplicas < prevOld ||
    current.metadata.generation !== previous.observedGeneration;
  if (spec.paused) {
    setCondition(
      {
        type: 'Progressing',
        status: 'Unknown',
        reason: 'DeploymentPaused',
        message: 'Deployment is paused',
      },
      false,
    );
  } else if (complete) {
    setCondition(
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${rsName}" has successfully progressed.`,
      },
      false,
    );
  } else if (created) {
    setCondition(
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetCreated',
        message: `Created new replica set "${rsName}"`,
      },
      true,
    );
  } else if (progressed) {
    setCondition(
      {
        type: 'Progressing',
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: `ReplicaSet "${rsName}" is progressing.`,
      },
      true,
    );
  } else if (
    progressing &&
    progressing.reason !== 'ProgressDeadlineExceeded' &&
    progressing.reason !== 'NewReplicaSetAvailable' &&
    now - Date.parse(progressing.lastUpdateTime) >
      Number(spec.progressDeadlineSeconds ?? 600) * 1000
  ) {
    setCondition(
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${rsName}" has timed out progressing.`,
      },
      true,
    );
    context.events.record({
      about: current,
      type: 'Warning',
      reason: 'ProgressDeadlineExceeded',
      message: `Deployment "${d.metadata.name}" has timed out progressing.`,
      component: 'deployment-controller',
    });
  }
  const order = ['Available', 'Progressing'];
  conditions.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  store.update(TYPES.deployment, d.metadata.namespace, d.metadata.name, (object) => {
    object.status = {
      observedGeneration: object.metadata.generation ?? 1,
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
      conditions,
    };
    if (ready === 0) delete object.status.readyReplicas;
    return true;
  });
}
