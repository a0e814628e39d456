import type { Logger } from '../../support/log.ts';
import { kubeClient } from '../client/kube-client.ts';
import { type AccessAnswer, reviewAccess } from './access-review.ts';
import { type KubePermission, permissionKey, permissionText } from './permission.ts';

/** What mend knows of one permission: granted, refused, or not known (the review failed). */
export type AccessState =
  | { kind: 'allowed' }
  | { kind: 'denied'; reason: string | undefined }
  | { kind: 'unknown'; error: string };

/** A permission of the config and who needs it, for the log and /readyz. */
export interface NeededAccess {
  permission: KubePermission;
  by: readonly string[];
}

/** What /readyz says: `fail` while a permission is refused, `warn` while one is not known. */
export interface AccessReport {
  status: 'pass' | 'warn' | 'fail';
  output?: string;
}

export interface AccessCheckOptions {
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Asks the API server (default: a SelfSubjectAccessReview through the context's client). */
  ask?: (permission: KubePermission, signal: AbortSignal) => Promise<AccessAnswer>;
  /** How long one review may take. Default 10 s. */
  timeoutMs?: number;
  /** How soon a permission not known is asked again. Default 10 s. */
  retryMs?: number;
}

const askCluster = async (p: KubePermission, signal: AbortSignal) =>
  reviewAccess(await kubeClient(p.context), p, signal);

/**
 * The preflight's memory: each permission the config needs, asked once with a
 * SelfSubjectAccessReview (per context) and kept for the config's life (`reset` on reload). A
 * review that fails (no answer, a 5xx) is `unknown`, never `denied`: it is asked again every
 * `retryMs`, and again by a run that needs it.
 */
export class AccessCheck {
  readonly #options: AccessCheckOptions;
  readonly #ask: NonNullable<AccessCheckOptions['ask']>;
  #states = new Map<string, AccessState>();
  #asking = new Map<string, Promise<AccessState>>();
  #needed: NeededAccess[] = [];
  #generation = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #stopped = new AbortController();

  constructor(options: AccessCheckOptions) {
    this.#options = options;
    this.#ask = options.ask ?? askCluster;
  }

  /**
   * A new config: forget what was known, ask every permission it needs, and say in the log what
   * is missing (and who needs it). Resolves when each has an answer or is known to be unknown.
   */
  async review(needed: readonly NeededAccess[]): Promise<void> {
    this.#generation++;
    const generation = this.#generation;
    this.#states = new Map();
    this.#asking = new Map();
    this.#needed = [...needed];
    clearTimeout(this.#timer);
    if (needed.length === 0) return;
    await this.states(needed.map((n) => n.permission));
    if (generation !== this.#generation) return;
    this.#say(this.#needed, true);
    this.#retryLater(generation);
  }

  /** The state of each permission: known ones from memory, the rest (and unknown ones) asked now. */
  states(permissions: readonly KubePermission[]): Promise<AccessState[]> {
    return Promise.all(permissions.map((p) => this.#state(p)));
  }

  /** What /readyz shows: every refused permission and who needs it, then those not known. */
  report(): AccessReport {
    const of = (kind: AccessState['kind']) =>
      this.#needed.filter((n) => this.#states.get(permissionKey(n.permission))?.kind === kind);
    const denied = of('denied');
    const unknown = of('unknown');
    if (denied.length === 0 && unknown.length === 0) return { status: 'pass' };
    const lines = [
      ...denied.map(
        (n) => `missing permission: ${permissionText(n.permission)}, for ${n.by.join(', ')}`,
      ),
      ...unknown.map((n) => {
        const state = this.#states.get(permissionKey(n.permission)) as { error: string };
        return `permission not known (the review failed, asked again): ${permissionText(n.permission)}: ${state.error}`;
      }),
    ];
    return { status: denied.length > 0 ? 'fail' : 'warn', output: lines.join('; ') };
  }

  /** Whether the config needs any Kubernetes permission (no check on /readyz otherwise). */
  get active(): boolean {
    return this.#needed.length > 0;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#stopped.abort(new Error('mend is stopping'));
  }

  #state(p: KubePermission): Promise<AccessState> {
    const key = permissionKey(p);
    const known = this.#states.get(key);
    if (known && known.kind !== 'unknown') return Promise.resolve(known);
    let asking = this.#asking.get(key);
    if (!asking) {
      const states = this.#states;
      const inFlight = this.#asking;
      asking = this.#askOnce(p).then((state) => {
        states.set(key, state);
        inFlight.delete(key);
        return state;
      });
      inFlight.set(key, asking);
    }
    return asking;
  }

  async #askOnce(p: KubePermission): Promise<AccessState> {
    const signal = AbortSignal.any([
      this.#stopped.signal,
      AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
    ]);
    try {
      const answer = await this.#ask(p, signal);
      return answer.allowed ? { kind: 'allowed' } : { kind: 'denied', reason: answer.reason };
    } catch (err) {
      return { kind: 'unknown', error: err instanceof Error ? err.message : String(err) };
    }
  }

  #say(needed: readonly NeededAccess[], whole: boolean): void {
    const { log } = this.#options;
    let granted = 0;
    for (const n of needed) {
      const state = this.#states.get(permissionKey(n.permission));
      if (state?.kind === 'denied') {
        log.error(
          `kubernetes: missing permission: ${permissionText(n.permission)}, for ${n.by.join(', ')}; a heal that needs it is refused before its first step (mend kubernetes rbac -c CONFIG prints the Roles)`,
        );
      } else if (state?.kind === 'unknown') {
        log.warn(
          `kubernetes: permission not known, the access review failed (asked again): ${permissionText(n.permission)}: ${state.error}`,
        );
      } else if (whole) granted++;
      else log.info(`kubernetes: permission granted: ${permissionText(n.permission)}`);
    }
    if (whole && granted === needed.length) {
      log.info(`kubernetes: all ${granted} permission(s) the config needs are granted`);
    }
  }

  /** Every `retryMs`, the permissions not known asked again, until none is left. */
  #retryLater(generation: number): void {
    const unknown = () =>
      this.#needed.filter((n) => this.#states.get(permissionKey(n.permission))?.kind === 'unknown');
    if (unknown().length === 0 || this.#stopped.signal.aborted) return;
    this.#timer = setTimeout(async () => {
      const asked = unknown();
      await this.states(asked.map((n) => n.permission));
      if (generation !== this.#generation) return;
      const settled = asked.filter(
        (n) => this.#states.get(permissionKey(n.permission))?.kind !== 'unknown',
      );
      if (settled.length > 0) this.#say(settled, false);
      this.#retryLater(generation);
    }, this.#options.retryMs ?? 10_000);
    this.#timer.unref();
  }
}
