import { randomBytes } from 'node:crypto';
import { type ClusterContext, TYPES } from '../cluster-context.ts';
import { applyDefaults } from '../defaults.ts';
import { clone, controllerOf, field, type KubeObject, record } from '../objects.ts';
import { podReady } from './pod-state.ts';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A name suffix like the API server's generateName: five characters of its safe alphabet. */
export function randomSuffix(length = 5): string {
  return [...randomBytes(length)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** The pods a ReplicaSet controls (by ownerReference uid), terminating ones apart. */
export function podsOf(
  context: ClusterContext,
  rs: KubeObject,
): { active: KubeObject[]; terminating: KubeObject[] } {
  const owned = context.store
    .list(TYPES.pod, rs.metadata.namespace)
    .filter((p) => controllerOf(p)?.uid === rs.metadata.uid);
  return {
    active: owned.filter((p) => p.metadata.deletionTimestamp === undefined),
    terminating: owned.filter((p) => p.metadata.deletionTimestamp !== undefined),
  };
}

/**
 * The ReplicaSet controller: creates and deletes pods until each ReplicaSet has
 * `spec.replicas` of them (unready and unscheduled pods deleted first, then the newest), with
 * SuccessfulCreate and SuccessfulDelete events, and keeps its status counts.
 */
export function reconcileReplicaSets(context: ClusterContext): void {
  const { store, events } = context;
  for (const rs of store.list(TYPES.replicaSet)) {
    const { active } = podsOf(context, rs);
    const want = Number(field(rs, 'spec', 'replicas') ?? 1);
    for (let i = active.length; i < want; i++) {
      const pod = newPod(rs);
      const created = store.create(TYPES.pod, pod);
      events.record({
        about: rs,
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: `Created pod: ${created.metadata.name}`,
        component: 'replicaset-controller',
      });
    }
    if (active.length > want) {
      const rank = (p: KubeObject) =>
        field(p, 'spec', 'nodeName') === undefined ? 0 : podReady(p) ? 2 : 1;
      const victims = [...active]
        .sort(
          (a, b) =>
            rank(a) - rank(b) ||
            String(b.metadata.creationTimestamp).localeCompare(
              String(a.metadata.creationTimestamp),
            ),
        )
        .slice(0, active.length - want);
      for (const victim of victims) {
        deletePodGracefully(context, victim);
        events.record({
          about: rs,
          type: 'Normal',
          reason: 'SuccessfulDelete',
          message: `Deleted pod: ${victim.metadata.name}`,
          component: 'replicaset-controller',
        });
      }
    }
    const now = podsOf(context, rs).active;
    const ready = now.filter(podReady).length;
    store.update(TYPES.replicaSet, rs.metadata.namespace, rs.metadata.name, (current) => {
      current.status = {
        replicas: now.length,
        fullyLabeledReplicas: now.length,
        readyReplicas: ready,
        availableReplicas: ready,
        observedGeneration: current.metadata.generation ?? 1,
      };
      return true;
    });
  }
}

function newPod(rs: KubeObject): KubeObject {
  const template = clone(record(field(rs, 'spec', 'template') ?? {}));
  const metadata = record(template.metadata ?? {});
  const pod: KubeObject = {
    metadata: {
      name: `${rs.metadata.name}-${randomSuffix()}`,
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: (metadata.labels ?? {}) as Record<string, string>,
      ...(metadata.annotations
        ? { annotations: metadata.annotations as Record<string, string> }
        : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: record(template.spec ?? {}),
  };
  applyDefaults('Pod', pod);
  pod.metadata.generation = 1;
  pod.status = { phase: 'Pending', qosClass: 'BestEffort' };
  return pod;
}

/**
 * Starts a pod's graceful deletion (deletionTimestamp set, the kubelet finishes it); a pod no
 * kubelet runs, or a grace period of 0, goes at once. Returns the pod as the API answers it.
 */
export function deletePodGracefully(
  context: ClusterContext,
  pod: KubeObject,
  graceSeconds?: number,
): KubeObject {
  const { store, clock } = context;
  const grace = graceSeconds ?? Number(field(pod, 'spec', 'terminationGracePeriodSeconds') ?? 30);
  if (pod.metadata.deletionTimestamp !== undefined) return pod;
  if (field(pod, 'spec', 'nodeName') === undefined || grace === 0) {
    return store.remove(TYPES.pod, pod.metadata.namespace, pod.metadata.name);
  }
  const updated = store.update(TYPES.pod, pod.metadata.namespace, pod.metadata.name, (p) => {
    p.metadata.deletionTimestamp = new Date(Math.floor(clock.now() / 1000) * 1000 + grace * 1000)
      .toISOString()
      .replace('.000Z', 'Z');
    p.metadata.deletionGracePeriodSeconds = grace;
    return true;
  });
  return updated ?? pod;
}
