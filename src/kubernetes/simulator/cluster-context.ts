import type { Clock } from '../../support/clock.ts';
import type { ContainerLogs } from './container-logs.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { ObjectStore } from './object-store.ts';
import type { BehaviourRule, BehaviourTiming, ContainerBehaviour } from './pod-behaviour.ts';
import { type ResourceType, resourceOfKind } from './resources.ts';

/** What the API handlers and the control loops share: the cluster's state and its clock. */
export interface ClusterContext {
  store: ObjectStore;
  clock: Clock;
  events: EventRecorder;
  logs: ContainerLogs;
  /** The container behaviour rules in force (a scenario may change them over time). */
  behaviours: BehaviourRule[];
  timing: BehaviourTiming;
  /**
   * Running pods told to go bad (by uid), taken up by the kubelet at its next pass: the
   * behaviour its containers follow from then on, and lines they write first.
   */
  podOverrides: Map<string, { behaviour: ContainerBehaviour; logs?: string[] }>;
  /** The kubelet version nodes report. */
  kubeletVersion: string;
}

const typeOf = (kind: string): ResourceType => {
  const type = resourceOfKind(kind);
  if (!type) throw new Error(`the simulator has no resource of kind ${kind}`);
  return type;
};

/** The resource types the control loops touch, looked up once. */
export const TYPES = {
  namespace: typeOf('Namespace'),
  node: typeOf('Node'),
  pod: typeOf('Pod'),
  event: typeOf('Event'),
  deployment: typeOf('Deployment'),
  replicaSet: typeOf('ReplicaSet'),
  pdb: typeOf('PodDisruptionBudget'),
};
