import { randomUUID } from 'node:crypto';
import type { Clock } from '../../support/clock.ts';
import { errors } from './api-status.ts';
import { clone, type KubeObject } from './objects.ts';
import { groupVersion, type ResourceType } from './resources.ts';
import { rfc3339 } from './time-format.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change in the store, as watches replay it. */
export interface Change {
  /** The store's revision after the change. */
  revision: number;
  type: ChangeType;
  resource: ResourceType;
  object: KubeObject;
  /** The object before a MODIFIED or DELETED change (for selector transitions). */
  previous?: KubeObject;
}

export interface StoreOptions {
  clock: Clock;
  /** How many changes are kept for watch replay; older resourceVersions get 410 Expired. */
  historyLimit?: number;
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/**
 * Every object of the simulated cluster, with one global, monotonic resourceVersion (etcd's
 * revision), and a bounded history of changes so a watch can resume from a resourceVersion.
 * Objects go in and out as copies: nobody outside holds the store's own.
 */
export class ObjectStore {
  readonly #clock: Clock;
  readonly #historyLimit: number;
  #revision = 1;
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #history: Change[] = [];
  readonly #listeners = new Set<(change: Change) => void>();

  constructor(options: StoreOptions) {
    this.#clock = options.clock;
    this.#historyLimit = options.historyLimit ?? 5000;
  }

  /** The current resourceVersion, as lists carry it. */
  get resourceVersion(): string {
    return String(this.#revision);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.#bucket(type).get(keyOf(namespace, name));
    return found && clone(found);
  }

  /** Every object of the type, in one namespace or all, sorted by namespace and name. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    return [...this.#bucket(type).values()]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(
        (a, b) =>
          (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
          a.metadata.name.localeCompare(b.metadata.name),
      )
      .map(clone);
  }

  /** Adds a new object: uid, creationTimestamp and resourceVersion are the store's. */
  create(type: ResourceType, object: KubeObject): KubeObject {
    const bucket = this.#bucket(type);
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    if (bucket.has(key)) throw errors.alreadyExists(type, object.metadata.name);
    const stored = clone(object);
    stored.apiVersion = groupVersion(type);
    stored.kind = type.kind;
    stored.metadata.uid = randomUUID();
    stored.metadata.creationTimestamp = rfc3339(this.#clock.now());
    return this.#commit(type, 'ADDED', stored, undefined);
  }

  /**
   * Replaces an object. With `expectedVersion`, only if the stored one still has it (409
   * otherwise), as a PUT with metadata.resourceVersion does.
   */
  replace(type: ResourceType, object: KubeObject, expectedVersion?: string): KubeObject {
    const bucket = this.#bucket(type);
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const current = bucket.get(key);
    if (!current) throw errors.notFound(type, object.metadata.name);
    if (expectedVersion !== undefined && expectedVersion !== current.metadata.resourceVersion) {
      throw errors.conflict(type, object.metadata.name);
    }
    const stored = clone(object);
    stored.apiVersion = groupVersion(type);
    stored.kind = type.kind;
    stored.metadata.uid = current.metadata.uid;
    stored.metadata.creationTimestamp = current.metadata.creationTimestamp;
    return this.#commit(type, 'MODIFIED', stored, current);
  }

  /** Reads, changes and writes back one object; `change` returning false writes nothing. */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    change: (object: KubeObject) => boolean | undefined,
  ): KubeObject | undefined {
    const object = this.get(type, namespace, name);
    if (!object) return undefined;
    const before = JSON.stringify(object);
    if (change(object) === false || JSON.stringify(object) === before) return object;
    return this.replace(type, object);
  }

  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const bucket = this.#bucket(type);
    const key = keyOf(namespace, name);
    const current = bucket.get(key);
    if (!current) throw errors.notFound(type, name);
    bucket.delete(key);
    const gone = clone(current);
    this.#revision++;
    gone.metadata.resourceVersion = String(this.#revision);
    this.#record({
      revision: this.#revision,
      type: 'DELETED',
      resource: type,
      object: gone,
      previous: current,
    });
    return clone(gone);
  }

  /**
   * The changes of a type after `resourceVersion`, or 'expired' when the history no longer
   * reaches back that far (the watch then answers 410).
   */
  changesSince(type: ResourceType, resourceVersion: number): Change[] | 'expired' {
    const oldest = this.#history[0]?.revision ?? this.#revision + 1;
    if (resourceVersion < oldest - 1 && resourceVersion < this.#revision) return 'expired';
    return this.#history.filter((c) => c.resource === type && c.revision > resourceVersion);
  }

  /** Calls `listener` for every change from now on; returns the unsubscribe function. */
  subscribe(listener: (change: Change) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Forgets the history up to now, so any older resourceVersion is 410 Expired (a fault). */
  compact(): void {
    this.#history.length = 0;
  }

  #bucket(type: ResourceType): Map<string, KubeObject> {
    const key = `${type.group}/${type.name}`;
    let bucket = this.#objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(key, bucket);
    }
    return bucket;
  }

  #commit(
    type: ResourceType,
    changeType: ChangeType,
    object: KubeObject,
    previous: KubeObject | undefined,
  ): KubeObject {
    this.#revision++;
    object.metadata.resourceVersion = String(this.#revision);
    this.#bucket(type).set(keyOf(object.metadata.namespace, object.metadata.name), object);
    this.#record({
      revision: this.#revision,
      type: changeType,
      resource: type,
      object: clone(object),
      ...(previous ? { previous: clone(previous) } : {}),
    });
    return clone(object);
  }

  #record(change: Change): void {
    this.#history.push(change);
    if (this.#history.length > this.#historyLimit) this.#history.shift();
    for (const listener of this.#listeners) listener(change);
  }
}
