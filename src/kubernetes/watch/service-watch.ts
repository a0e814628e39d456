import { parseDuration } from '../../config/kinds/duration.ts';
import type { KubernetesTarget } from '../../config/kinds/kubernetes-target.ts';
import type { Clock } from '../../support/clock.ts';
import { type KubeObject, paths, selectorText } from '../actions/objects.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { clearedBy } from './cleared-by.ts';
import { type Condition, ServiceConditions } from './conditions.ts';
import { type ChangeType, Reflector, type WatchFailure } from './reflector.ts';

/** A condition starting or ending. A resolved one carries the condition as it last fired. */
export interface Transition {
  status: 'firing' | 'resolved';
  condition: Condition;
  at: number;
  /** Why it ended, in words: who or what cleared it (kubelet, mend's heal, the pod gone). */
  cleared?: string;
}

export interface ServiceWatchOptions {
  /** The Service's name, for failures. */
  service: string;
  target: KubernetesTarget;
  client: KubeClient;
  clock: Clock;
  /** Conditions that started or ended, in the order they did. */
  onTransitions(transitions: Transition[]): void;
  onFailure(failure: WatchFailure): void;
  /** Every collection was listed once: the conditions now are the cluster's. */
  onSynced?(): void;
  backoffMs?: number;
}

/**
 * The watch of one Service's workload: its Deployments (by name or label selector), their pods
 * (by the Deployment's own selector, or the Service's), and the nodes (every node; those that
 * host the pods count). Each collection is a Reflector (list, then watch, resumed, relisted on
 * 410); every change, and the one timer `ServiceConditions` asks for, evaluates the
 * conditions again, and the difference with those firing before is the transitions. Nothing is
 * polled.
 */
export class ServiceWatch {
  readonly #options: ServiceWatchOptions;
  readonly #conditions: ServiceConditions;
  readonly #stop = new AbortController();
  readonly #deployments: Reflector;
  readonly #nodes: Reflector;
  #pods: { selector: string; reflector: Reflector; stop: AbortController } | undefined;
  readonly #firing = new Map<string, Condition>();
  /** Pods deleted since the last evaluation, as they last were: their mark says who deleted them. */
  readonly #gone: KubeObject[] = [];
  #timer: unknown;
  #timerAt: number | undefined;
  #synced = false;
  #started = false;
  readonly #runs: Promise<void>[] = [];
  readonly #listeners = new Set<() => void>();

  constructor(options: ServiceWatchOptions) {
    this.#options = options;
    const watch = options.target.watch;
    this.#conditions = new ServiceConditions({
      notReadyForMs: parseDuration(watch?.notReadyFor ?? '30s')!,
      restarts: watch?.restarts ?? 3,
      windowMs: parseDuration(watch?.window ?? '10m')!,
    });
    const { namespace } = options.target;
    const deploymentQuery: Record<string, string> =
      options.target.name !== undefined
        ? { fieldSelector: `metadata.name=${options.target.name}` }
        : { labelSelector: labelsText(options.target.selector ?? {}) };
    this.#deployments = this.#reflector(
      paths.deployments(namespace),
      deploymentQuery,
      `deployments in ${namespace}`,
      this.#stop.signal,
    );
    this.#nodes = this.#reflector('/api/v1/nodes', {}, 'nodes', this.#stop.signal);
    if (options.target.selector !== undefined) {
      this.#watchPods(labelsText(options.target.selector));
    }
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#runs.push(this.#deployments.run(), this.#nodes.run());
    if (this.#pods !== undefined) this.#runs.push(this.#pods.reflector.run());
  }

  /** Whether every collection has been listed once. */
  get synced(): boolean {
    return this.#synced;
  }

  /** How many Deployments the watch holds (0: the workload is not there, or not yet listed). */
  get workloads(): number {
    return [...this.#deployments.objects].length;
  }

  /** Why the watch may be behind the cluster now (a collection's last request failed), or undefined. */
  get failing(): string | undefined {
    return (
      this.#deployments.failing ?? this.#nodes.failing ?? this.#pods?.reflector.failing ?? undefined
    );
  }

  /** The conditions firing now. */
  firing(): Condition[] {
    return [...this.#firing.values()];
  }

  /** Called after every evaluation (for a verify waiting on the watch). */
  onEvaluated(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops every watch and the timer; resolves when the requests have ended. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error('the watch stopped'));
    this.#pods?.stop.abort(new Error('the watch stopped'));
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#runs);
  }

  #reflector(
    path: string,
    query: Record<string, string>,
    what: string,
    signal: AbortSignal,
  ): Reflector {
    return new Reflector({
      client: this.#options.client,
      path,
      query,
      what,
      signal,
      ...(this.#options.backoffMs !== undefined ? { backoffMs: this.#options.backoffMs } : {}),
      onChange: (type, object, previous) => this.#changed(path, type, object, previous),
      onSynced: () => this.#evaluate(),
      onFailure: (failure) => this.#options.onFailure(failure),
    });
  }

  /** The pods of a Deployment known by name are watched once its selector is known. */
  #watchPods(selector: string): void {
    if (this.#pods?.selector === selector) return;
    this.#pods?.stop.abort(new Error('the selector changed'));
    const stop = new AbortController();
    this.#stop.signal.addEventListener('abort', () => stop.abort(this.#stop.signal.reason), {
      once: true,
    });
    const { namespace } = this.#options.target;
    const reflector = this.#reflector(
      paths.pods(namespace),
      { labelSelector: selector },
      `pods in ${namespace}`,
      stop.signal,
    );
    this.#pods = { selector, reflector, stop };
    // Before start (a selector target, from the constructor) start() runs it.
    if (this.#started) this.#runs.push(reflector.run());
  }

  #changed(path: string, type: ChangeType, object: KubeObject, _previous?: KubeObject): void {
    const now = this.#options.clock.now();
    if (path.endsWith('/pods')) {
      if (type === 'DELETED') this.#gone.push(object);
      else this.#conditions.observePod(object, now);
    }
    if (path.endsWith('/deployments') && this.#options.target.name !== undefined) {
      if (type !== 'DELETED') {
        const selector = selectorText(
          (object.spec as { selector?: unknown } | undefined)?.selector,
        );
        if (selector !== '') this.#watchPods(selector);
      }
    }
    this.#evaluate();
  }

  #ready(): boolean {
    if (!this.#deployments.synced || !this.#nodes.synced) return false;
    if (this.#pods !== undefined) return this.#pods.reflector.synced;
    // A Deployment known by name and not (yet) there: no pods to wait for.
    return [...this.#deployments.objects].length === 0;
  }

  #evaluate(): void {
    if (this.#stop.signal.aborted || !this.#ready()) return;
    const now = this.#options.clock.now();
    const pods = this.#pods ? [...this.#pods.reflector.objects] : [];
    this.#conditions.forget(pods);
    const { conditions, nextAt } = this.#conditions.evaluate(
      {
        namespace: this.#options.target.namespace,
        deployments: [...this.#deployments.objects],
        pods,
        nodes: [...this.#nodes.objects],
      },
      now,
    );
    const transitions: Transition[] = [];
    const current = new Map(conditions.map((c) => [c.key, c]));
    for (const [key, before] of this.#firing) {
      if (current.has(key)) continue;
      this.#firing.delete(key);
      transitions.push({
        status: 'resolved',
        condition: before,
        at: now,
        cleared: clearedBy(before, {
          pods,
          nodes: [...this.#nodes.objects],
          deployments: [...this.#deployments.objects],
          gone: this.#gone,
        }),
      });
    }
    for (const [key, condition] of current) {
      const before = this.#firing.get(key);
      this.#firing.set(key, condition);
      if (before === undefined) transitions.push({ status: 'firing', condition, at: now });
    }
    this.#gone.length = 0;
    this.#schedule(nextAt);
    const first = !this.#synced;
    this.#synced = true;
    if (transitions.length > 0) this.#options.onTransitions(transitions);
    if (first) this.#options.onSynced?.();
    for (const listener of this.#listeners) listener();
  }

  #schedule(at: number | undefined): void {
    if (at === this.#timerAt) return;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === undefined) return;
    const { clock } = this.#options;
    this.#timer = clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = undefined;
        this.#evaluate();
      },
      Math.max(0, at - clock.now()),
    );
  }
}

function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
