import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { openKyselyStore } from '../../src/store/open.ts';
import { MendProcess } from './mend-process.ts';

export { createTestDatabase } from './postgres.ts';

/**
 * A loopback target for replicas: `GET /health/SVC` answers 200 or 503 as the test says, and
 * counts every probe per service (so a test sees who probes what: exactly once, not zero or
 * twice); `POST /restart/SVC?run=RUN` is the non-idempotent step, counted per run id by the
 * target itself as it arrives; it makes the service healthy at once and answers after `restartMs`.
 */
export interface CountingTarget {
  url: string;
  probes: Map<string, number>;
  /** Each probe's time, per service (ms, Date.now). */
  probeTimes: Map<string, number[]>;
  restarts: Map<string, number>;
  /** When each restart arrived (Date.now). */
  restartTimes: Map<string, number>;
  setHealthy(service: string, healthy: boolean): void;
  close(): Promise<void>;
}

export async function startCountingTarget(
  options: { restartMs?: number } = {},
): Promise<CountingTarget> {
  // A restart that takes a while, so that some kills land while it is in flight (its effect is
  // then unknown to the new leader, which must not send it again).
  const restartMs = options.restartMs ?? 400;
  const broken = new Set<string>();
  const target: Omit<CountingTarget, 'url' | 'close'> = {
    probes: new Map(),
    probeTimes: new Map(),
    restarts: new Map(),
    restartTimes: new Map(),
    setHealthy(service, healthy) {
      if (healthy) broken.delete(service);
      else broken.add(service);
    },
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://target');
    const [, what, service = ''] = url.pathname.split('/');
    if (what === 'health') {
      target.probes.set(service, (target.probes.get(service) ?? 0) + 1);
      const times = target.probeTimes.get(service) ?? [];
      times.push(Date.now());
      target.probeTimes.set(service, times);
      res.writeHead(broken.has(service) ? 503 : 200).end();
      return;
    }
    if (what === 'restart' && req.method === 'POST') {
      const run = url.searchParams.get('run') ?? '?';
      target.restarts.set(run, (target.restarts.get(run) ?? 0) + 1);
      if (!target.restartTimes.has(run)) target.restartTimes.set(run, Date.now());
      broken.delete(service);
      req.resume();
      setTimeout(() => res.writeHead(200).end('restarted'), restartMs);
      return;
    }
    res.writeHead(404).end();
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...target,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ClusterOptions {
  services: number;
  leaseSeconds: number;
  periodSeconds?: number;
  /** How long the runbook's idempotent steps around the restart take (ms). */
  settleMs?: number;
  /** Elect by this Kubernetes Lease (the replicas need KUBECONFIG). */
  kubernetesLease?: { namespace: string; name: string };
}

/**
 * A service broken at the moment the leader is killed: its signal is something to decide, so the
 * next decision after a kill measures the failover, whether the heal in flight had finished or not.
 */
export const CANARY = 'canary';

/** The config every replica runs: N services and the canary, one heal policy, one runbook. */
export function clusterConfig(targetUrl: string, options: ClusterOptions): string {
  const period = options.periodSeconds ?? 0.5;
  const settle = options.settleMs ?? 1000;
  const sleep = (ms: number) =>
    `exec: { command: ["${process.execPath}", "-e", "setTimeout(() => {}, ${ms})"] }`;
  const names = [...Array.from({ length: options.services }, (_, i) => `svc-${i}`), CANARY];
  const services = names.map(
    (name) => `apiVersion: mend/v1
kind: Service
metadata: { name: ${name} }
spec:
  checks:
    - name: live
      periodSeconds: ${period}
      failureThreshold: 2
      successThreshold: 1
      http: { url: "${targetUrl}/health/${name}" }
`,
  );
  return `${services.join('---\n')}---
apiVersion: mend/v1
kind: Settings
metadata: { name: settings }
spec:
  replicas:
    enabled: true
    lease: ${options.leaseSeconds}s${
      options.kubernetesLease
        ? `\n    kubernetesLease: { namespace: ${options.kubernetesLease.namespace}, name: ${options.kubernetesLease.name} }`
        : ''
    }
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart }
spec:
  for: 0s
  heal: { runbook: restart }
  maxAttempts: 1000
  window: 1h
  cooldown: 0s
---
apiVersion: mend/v1
kind: Runbook
metadata: { name: restart }
spec:
  steps:
    - name: prepare
      ${sleep(settle)}
      idempotent: true
    - name: restart
      http: { method: POST, url: "${targetUrl}/restart/{{service.name}}?run={{run.id}}" }
      idempotent: false
    - name: settle
      ${sleep(settle)}
      idempotent: true
    - name: verify
      verify: {}
`;
}

/** Three (or N) real `mend run --replica` processes on one database, and a way to read it. */
export class ReplicaCluster {
  readonly db: string;
  readonly config: string;
  readonly dir: string;
  readonly replicas: MendProcess[] = [];
  #store: KyselyStore | undefined;

  private constructor(db: string, dir: string, config: string) {
    this.db = db;
    this.dir = dir;
    this.config = config;
  }

  static async create(db: string, configText: string): Promise<ReplicaCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'mend-replicas-'));
    const config = join(dir, 'mend.yaml');
    await writeFile(config, configText);
    return new ReplicaCluster(db, dir, config);
  }

  start(env: NodeJS.ProcessEnv = {}): MendProcess {
    const mend = new MendProcess(
      ['run', '-c', this.config, '--listen', '127.0.0.1:0', '--workers', '0', '--replica'],
      { MEND_DB: this.db, ...env },
    );
    this.replicas.push(mend);
    return mend;
  }

  /** The replicas still running. */
  running(): MendProcess[] {
    return this.replicas.filter(
      (mend) => mend.child.exitCode === null && mend.child.signalCode === null,
    );
  }

  async store(): Promise<KyselyStore> {
    this.#store ??= await openKyselyStore({ path: this.db });
    return this.#store;
  }

  /** The leader as the lease names it, while its lease holds; its process when it is ours. */
  async leader(): Promise<
    { id: string; epoch: number; mend: MendProcess | undefined } | undefined
  > {
    const { now, lease } = await (await this.store()).replicas().lease();
    if (lease.holder === undefined || lease.expiresAt < now) return undefined;
    const pid = Number(lease.holder.split('-').at(-2));
    const mend = this.replicas.find((m) => m.child.pid === pid);
    return { id: lease.holder, epoch: lease.epoch, mend };
  }

  /** Wait for a leader (other than `not`, when given) whose lease holds. */
  async waitForLeader(
    timeoutMs: number,
    not?: string,
  ): Promise<{ id: string; epoch: number; mend: MendProcess | undefined }> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const leader = await this.leader();
      if (leader !== undefined && leader.id !== not) return leader;
      await sleep(50);
    }
    throw new Error(`no leader${not ? ` other than ${not}` : ''} within ${timeoutMs} ms`);
  }

  /** Wait for `count` live members in the store. */
  async waitForMembers(count: number, leaseMs: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { now, replicas } = await (await this.store()).replicas().listReplicas();
      if (replicas.filter((r) => now - r.heartbeatAt <= leaseMs).length === count) return;
      await sleep(100);
    }
    throw new Error(`not ${count} live replicas within ${timeoutMs} ms`);
  }

  async stop(): Promise<void> {
    for (const mend of this.running()) mend.kill('SIGKILL');
    await Promise.all(this.replicas.map((mend) => mend.exited));
    await this.#store?.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What one failover run measured. */
export interface FailoverRun {
  service: string;
  runId: string;
  /** How long after the heal's dispatch the leader was killed. */
  killAfterMs: number;
  /** From the SIGKILL to the new leader's lease (acquired_at, the database's clock). */
  takeoverMs: number;
  /** From the SIGKILL to the next decision recorded (by the new leader). */
  decisionMs: number;
  /** The heal's final status, and how many times the target saw its restart. */
  outcome: string;
  restarts: number;
}

/**
 * One chaos run: break `service`, wait for its heal to be dispatched, SIGKILL the leader at a
 * random moment inside the runbook (up to `killWithinMs` after dispatch), start a replica in its
 * place, then wait for the heal to end on the new leader and the incident to resolve.
 */
export async function failoverRun(
  cluster: ReplicaCluster,
  target: CountingTarget,
  service: string,
  options: { killWithinMs: number; timeoutMs: number; random?: () => number },
): Promise<FailoverRun> {
  const store = await cluster.store();
  const random = options.random ?? Math.random;
  const leader = await cluster.waitForLeader(options.timeoutMs);
  if (leader.mend === undefined) throw new Error(`leader ${leader.id} is not one of ours`);
  target.setHealthy(service, false);
  const heal = await until(options.timeoutMs, `a heal of ${service} dispatched`, async () =>
    (await store.listCommands({ status: 'dispatched' })).find(
      (command) => command.kind === 'heal' && command.service === service,
    ),
  );
  const killAfterMs = Math.round(random() * options.killWithinMs);
  await sleep(Math.max(0, heal.updatedAt + killAfterMs - Date.now()));
  const canaries = (await store.listIncidents({ service: CANARY })).length;
  const killedAt = Date.now();
  leader.mend.kill('SIGKILL');
  target.setHealthy(CANARY, false);
  await leader.mend.exited;
  cluster.start();
  const next = await cluster.waitForLeader(options.timeoutMs, leader.id);
  const { lease } = await store.replicas().lease();
  const decision = await until(options.timeoutMs, 'a decision after the kill', async () =>
    (await store.listDecisions({ since: killedAt, limit: 1 })).at(0),
  );
  const done = await until(options.timeoutMs, `the heal ${heal.id} settled`, async () => {
    const [command] = (await store.listCommands({ incidentId: heal.incidentId! })).filter(
      (c) => c.id === heal.id && c.status !== 'dispatched' && c.status !== 'planned',
    );
    return command;
  });
  if (done.status !== 'succeeded' && !target.restarts.has(heal.id)) {
    // Cut after its intent and before the call: the heal's effect is unknown and not repeated
    // (the rules of a restart); the service is mended by hand so the next run starts clean.
    target.setHealthy(service, true);
  }
  await until(options.timeoutMs, `incident ${heal.incidentId} resolved`, async () => {
    const incident = await store.getIncident(heal.incidentId!);
    return incident?.status === 'resolved' ? incident : undefined;
  });
  await until(options.timeoutMs, 'the canary healed', async () => {
    const open = await store.listIncidents({ service: CANARY, status: 'open' });
    const all = await store.listIncidents({ service: CANARY });
    // Its heal ended too: one still verifying would see the canary broken again by the next run.
    const running = (await store.listCommands()).some(
      (c) => c.service === CANARY && (c.status === 'planned' || c.status === 'dispatched'),
    );
    if (open.length === 0 && all.length > canaries && !running) return true;
    // Its heal cut before its restart (unknown, not repeated): mended by hand.
    const cut = (await store.listCommands({ status: 'unknown' })).some(
      (c) => c.service === CANARY && !target.restarts.has(c.id),
    );
    if (cut) target.setHealthy(CANARY, true);
    return undefined;
  });
  void next;
  return {
    service,
    runId: heal.id,
    killAfterMs,
    takeoverMs: lease.acquiredAt - killedAt,
    decisionMs: decision.at - killedAt,
    outcome: done.status,
    restarts: target.restarts.get(heal.id) ?? 0,
  };
}

/** Polls `probe` until it gives a value, or fails saying what did not happen. */
export async function until<T>(
  timeoutMs: number,
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}
