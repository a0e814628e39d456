import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { type Clock, systemClock } from '../../support/clock.ts';
import type { ResourceResponse } from './api-request.ts';
import type { TokenUser, User } from './authorization.ts';
import { makeServingCertificates, type ServingCertificates } from './certificates.ts';
import { type ClusterContext, TYPES } from './cluster-context.ts';
import { ContainerLogs } from './container-logs.ts';
import { ControlPlane } from './controllers/control-plane.ts';
import { newNode, setNodeReady } from './controllers/node-lifecycle.ts';
import type { DiscoveryMode } from './discovery.ts';
import { EventRecorder } from './event-recorder.ts';
import { Faults } from './faults.ts';
import { type RunningApiServer, startApiServer } from './http-server.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { ObjectStore } from './object-store.ts';
import type { KubeObject } from './objects.ts';
import {
  type BehaviourRule,
  type BehaviourTiming,
  type ContainerBehaviour,
  DEFAULT_TIMING,
} from './pod-behaviour.ts';
import { RequestLog } from './request-log.ts';
import { handleResource } from './resource-handler.ts';
import { resourceOfKind } from './resources.ts';
import { selects } from './selectors.ts';

export interface ClusterOptions {
  /** The cluster's time; the system clock by default. A fake clock makes the cluster stepped. */
  clock?: Clock;
  /** Serve TLS (the default; kubectl sends no credentials over plain http). */
  tls?: boolean;
  /** Reuse certificates (openssl takes a moment; a test file can share one set). */
  certificates?: ServingCertificates;
  discovery?: DiscoveryMode;
  /** The Kubernetes minor version /version reports, e.g. "32" (the dispatcher picks kubectl by it). */
  minorVersion?: string;
  /** How often the control loops run, in the cluster's clock. */
  tickMs?: number;
  bookmarkIntervalMs?: number;
  timing?: Partial<BehaviourTiming>;
  behaviours?: BehaviourRule[];
  /** Extra tokens; an admin (system:masters) token is always made. */
  users?: TokenUser[];
  /** Node names; two nodes by default. */
  nodes?: string[];
  namespaces?: string[];
  historyLimit?: number;
  host?: string;
  port?: number;
}

const GIT_VERSIONS: Record<string, string> = {
  '27': 'v1.27.16',
  '28': 'v1.28.15',
  '29': 'v1.29.14',
  '30': 'v1.30.13',
  '31': 'v1.31.9',
  '32': 'v1.32.5',
  '33': 'v1.33.1',
};

const ADMIN: User = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

/**
 * A simulated Kubernetes cluster: an API server on loopback that real kubectl accepts, over
 * a store with watch, and a control plane (deployment and replica set controllers, scheduler,
 * kubelets, disruption budgets, node lifecycle) that moves on the cluster's clock.
 */
export class SimulatedCluster {
  readonly context: ClusterContext;
  readonly faults = new Faults();
  readonly requests = new RequestLog();
  readonly adminToken: string;
  readonly caPem: string | undefined;
  readonly #tokens: TokenUser[];
  readonly #controlPlane: ControlPlane;
  #server: RunningApiServer | undefined;

  private constructor(options: ClusterOptions, caPem: string | undefined) {
    const clock = options.clock ?? systemClock;
    const store = new ObjectStore({
      clock,
      ...(options.historyLimit ? { historyLimit: options.historyLimit } : {}),
    });
    const minor = options.minorVersion ?? '32';
    this.context = {
      store,
      clock,
      events: new EventRecorder(store, clock),
      logs: new ContainerLogs(),
      behaviours: [...(options.behaviours ?? [])],
      timing: { ...DEFAULT_TIMING, ...(options.timing ?? {}) },
      podOverrides: new Map(),
      kubeletVersion: GIT_VERSIONS[minor] ?? `v1.${minor}.0`,
    };
    this.adminToken = randomBytes(24).toString('base64url');
    this.#tokens = [
      { token: this.adminToken, user: ADMIN.name, groups: ['system:masters'] },
      ...(options.users ?? []),
    ];
    this.#controlPlane = new ControlPlane(this.context, options.tickMs ?? 100);
    this.caPem = caPem;
  }

  static async start(options: ClusterOptions = {}): Promise<SimulatedCluster> {
    const tls = options.tls ?? true;
    const certificates = tls
      ? (options.certificates ?? (await makeServingCertificates()))
      : undefined;
    const cluster = new SimulatedCluster(options, certificates?.caPem);
    for (const name of options.namespaces ?? ['default'])
      cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    if (!(options.namespaces ?? []).includes('default'))
      cluster.apply(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
        { ifAbsent: true },
      );
    (options.nodes ?? ['node-1', 'node-2']).forEach((name, i) => {
      cluster.context.store.create(TYPES.node, newNode(cluster.context, name, i));
    });
    const minor = options.minorVersion ?? '32';
    cluster.#server = await startApiServer({
      context: cluster.context,
      tokens: () => cluster.#tokens,
      discovery: options.discovery ?? 'aggregated',
      version: { major: '1', minor, gitVersion: GIT_VERSIONS[minor] ?? `v1.${minor}.0` },
      faults: cluster.faults,
      log: cluster.requests,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
      ...(certificates ? { tls: { key: certificates.keyPem, cert: certificates.certPem } } : {}),
      ...(options.host ? { host: options.host } : {}),
      ...(options.port ? { port: options.port } : {}),
    });
    cluster.#controlPlane.start();
    return cluster;
  }

  get url(): string {
    if (!this.#server) throw new Error('the simulated cluster is not running');
    return this.#server.url;
  }

  get store() {
    return this.context.store;
  }

  /** A token for a user (e.g. `system:serviceaccount:mend:mend`), for RBAC tests. */
  addUser(
    user: string,
    groups: string[] = [],
    token = randomBytes(24).toString('base64url'),
  ): string {
    this.#tokens.push({ token, user, groups });
    return token;
  }

  /** A kubeconfig for a token (the admin's by default). */
  kubeconfig(options: { token?: string; user?: string; namespace?: string } = {}): string {
    const token = options.token ?? this.adminToken;
    const user = options.user ?? this.#tokens.find((t) => t.token === token)?.user ?? 'user';
    return renderKubeconfig({
      server: this.url,
      token,
      user: user.replaceAll(':', '-'),
      ...(this.caPem ? { caPem: this.caPem } : {}),
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
  }

  async writeKubeconfig(
    path: string,
    options: { token?: string; user?: string; namespace?: string } = {},
  ): Promise<void> {
    await writeFile(path, this.kubeconfig(options), { mode: 0o600 });
  }

  /**
   * Creates an object, or replaces the one with its name, through the API server's own write
   * path (defaulting, generation), as the admin.
   */
  apply(object: KubeObject, options: { ifAbsent?: boolean } = {}): KubeObject {
    const type = resourceOfKind(String(object.kind));
    if (!type) throw new Error(`the simulator does not serve kind ${JSON.stringify(object.kind)}`);
    const namespace = type.namespaced ? (object.metadata.namespace ?? 'default') : undefined;
    const existing = this.store.get(type, namespace, object.metadata.name);
    if (existing && options.ifAbsent) return existing;
    const base = {
      verb: existing ? 'update' : 'create',
      type,
      ...(namespace === undefined ? {} : { namespace }),
      query: new URLSearchParams(),
      body: object,
      contentType: 'application/json',
      accept: undefined,
      user: ADMIN,
    };
    const response: ResourceResponse = existing
      ? handleResource(this.context, { ...base, method: 'PUT', name: object.metadata.name })
      : handleResource(this.context, { ...base, method: 'POST' });
    return (response as { body: KubeObject }).body;
  }

  setNodeReady(name: string, ready: boolean): void {
    setNodeReady(this.context, name, ready);
  }

  /** Replaces the container behaviour rules; containers started from now on follow them. */
  setBehaviours(rules: BehaviourRule[]): void {
    this.context.behaviours.splice(0, this.context.behaviours.length, ...rules);
  }

  /**
   * `count` running pods of a Deployment (oldest name first) go bad as they run: their
   * containers follow `behaviour` from the kubelet's next pass, after writing `logs`. Pods
   * created later follow the behaviour rules, so a rollout restart heals them. Returns the
   * pods' names.
   */
  breakPods(
    namespace: string,
    deployment: string,
    count: number,
    behaviour: ContainerBehaviour,
    logs?: string[],
  ): string[] {
    const owner = this.store.get(TYPES.deployment, namespace, deployment);
    if (!owner)
      throw new Error(`no deployment ${namespace}/${deployment} in the simulated cluster`);
    const selector = (owner.spec as { selector?: unknown } | undefined)?.selector;
    const pods = this.store
      .list(TYPES.pod, namespace)
      .filter((p) => p.metadata.deletionTimestamp === undefined && selects(selector, p))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .slice(0, count);
    for (const pod of pods)
      this.context.podOverrides.set(pod.metadata.uid!, { behaviour, ...(logs ? { logs } : {}) });
    return pods.map((p) => p.metadata.name);
  }

  /** One pass of the control loops now (for stepped tests). */
  tick(): void {
    this.#controlPlane.tick();
  }

  /** A control loop's exception, if one failed (a simulator bug, surfaced to tests). */
  get controlPlaneError(): Error | undefined {
    return this.#controlPlane.lastError;
  }

  async stop(): Promise<void> {
    this.#controlPlane.stop();
    await this.#server?.close();
    this.#server = undefined;
  }
}
