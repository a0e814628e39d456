import type { Clock } from '../../support/clock.ts';
import type { ObjectStore } from './object-store.ts';
import type { KubeObject } from './objects.ts';
import { resourceOfKind } from './resources.ts';
import { rfc3339 } from './time-format.ts';

export interface EventInput {
  about: KubeObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** The reporting component: deployment-controller, kubelet, default-scheduler, ... */
  component: string;
  host?: string;
}

const EVENT = resourceOfKind('Event')!;

/**
 * core/v1 Events as the controllers and kubelet record them, aggregated like client-go's
 * EventCorrelator: the same object, reason and message again bumps `count` and
 * `lastTimestamp` of the one Event instead of adding another.
 */
export class EventRecorder {
  readonly #store: ObjectStore;
  readonly #clock: Clock;
  #sequence = 0;

  constructor(store: ObjectStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  record(input: EventInput): void {
    const { about } = input;
    const namespace = about.metadata.namespace ?? 'default';
    const now = rfc3339(this.#clock.now());
    const same = this.#store
      .list(EVENT, namespace)
      .find(
        (e) =>
          (e.involvedObject as { uid?: string } | undefined)?.uid === about.metadata.uid &&
          e.reason === input.reason &&
          e.message === input.message,
      );
    if (same) {
      same.count = Number(same.count ?? 1) + 1;
      same.lastTimestamp = now;
      this.#store.replace(EVENT, same);
      return;
    }
    this.#sequence++;
    const suffix = (this.#clock.now() * 1000 + this.#sequence).toString(16).slice(-16);
    this.#store.create(EVENT, {
      metadata: { name: `${about.metadata.name}.${suffix}`, namespace },
      involvedObject: {
        kind: about.kind,
        namespace: about.metadata.namespace,
        name: about.metadata.name,
        uid: about.metadata.uid,
        apiVersion: about.apiVersion,
        resourceVersion: about.metadata.resourceVersion,
      },
      reason: input.reason,
      message: input.message,
      source: { component: input.component, ...(input.host ? { host: input.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: input.type,
      reportingComponent: input.component,
      reportingInstance: input.host ?? '',
    });
  }
}
