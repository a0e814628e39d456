import type { ClusterContext } from '../cluster-context.ts';
import { reconcileDeployments } from './deployment-controller.ts';
import { reconcileBudgets } from './disruption.ts';
import { collectGarbage } from './garbage-collector.ts';
import { Kubelet } from './kubelet.ts';
import { reconcileNodes } from './node-lifecycle.ts';
import { reconcileReplicaSets } from './replicaset-controller.ts';
import { schedulePods } from './scheduler.ts';

/**
 * The simulated control plane: every loop in turn, once per tick of the cluster's clock, so a
 * test on a fake clock moves the whole cluster by advancing time.
 */
export class ControlPlane {
  readonly #context: ClusterContext;
  readonly #kubelet: Kubelet;
  readonly #tickMs: number;
  #timer: unknown;
  #running = false;
  /** A loop's exception, kept so the cluster can report it instead of dying silently. */
  lastError: Error | undefined;

  constructor(context: ClusterContext, tickMs: number) {
    this.#context = context;
    this.#kubelet = new Kubelet(context);
    this.#tickMs = tickMs;
  }

  /** One pass of every loop, in the order data flows through a real cluster. */
  tick(): void {
    try {
      reconcileDeployments(this.#context);
      reconcileReplicaSets(this.#context);
      collectGarbage(this.#context);
      schedulePods(this.#context);
      reconcileNodes(this.#context);
      this.#kubelet.reconcile();
      reconcileBudgets(this.#context);
    } catch (err) {
      this.lastError = err as Error;
    }
  }

  start(): void {
    this.#running = true;
    const loop = () => {
      if (!this.#running) return;
      this.tick();
      this.#timer = this.#context.clock.setTimeout(loop, this.#tickMs);
    };
    this.#timer = this.#context.clock.setTimeout(loop, this.#tickMs);
  }

  stop(): void {
    this.#running = false;
    this.#context.clock.clearTimeout(this.#timer);
  }
}
