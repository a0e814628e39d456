import { type ClusterContext, TYPES } from '../cluster-context.ts';
import { field, type KubeObject, record } from '../objects.ts';
import { type ResolvedBehaviour, resolveBehaviour } from '../pod-behaviour.ts';
import { rfc3339 } from '../time-format.ts';

type Phase = 'creating' | 'running' | 'backoff' | 'pull-failed' | 'pull-backoff';

interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: string;
  finishedAt: string;
  containerID: string;
}

interface ContainerRuntime {
  name: string;
  image: string;
  resolved: ResolvedBehaviour;
  phase: Phase;
  /** When the current phase began. */
  since: number;
  /** When the phase ends (next start, next pull attempt). */
  until: number;
  instance: number;
  restartCount: number;
  ready: boolean;
  lastTerminated?: Terminated;
  lastUnhealthyAt: number;
}

interface PodRuntime {
  containers: ContainerRuntime[];
  readySince: number;
  readyState: boolean;
  deletingSince?: number;
  ip: string;
}

const MAX_BACKOFF_FACTOR = 30;

/**
 * The kubelet of every Ready node: runs each pod bound to it through its containers'
 * behaviours (ContainerCreating, Running and Ready, CrashLoopBackOff with restart counts and
 * back-off, OOMKilled, ErrImagePull and ImagePullBackOff, readiness failures), writes the
 * pod's status and events like the real kubelet's, keeps each instance's log, and finishes
 * graceful deletions.
 */
export class Kubelet {
  readonly #context: ClusterContext;
  readonly #pods = new Map<string, PodRuntime>();
  #nextIp = 10;

  constructor(context: ClusterContext) {
    this.#context = context;
  }

  reconcile(): void {
    const { store } = this.#context;
    const readyNodes = new Set(
      store
        .list(TYPES.node)
        .filter((n) => nodeReady(n))
        .map((n) => n.metadata.name),
    );
    const seen = new Set<string>();
    for (const pod of store.list(TYPES.pod)) {
      const uid = pod.metadata.uid!;
      seen.add(uid);
      const node = field(pod, 'spec', 'nodeName');
      if (typeof node !== 'string' || !readyNodes.has(node)) {
        // A pod that never ran can be removed by the API server at once; one on a lost node waits.
        continue;
      }
      this.#step(pod);
    }
    for (const uid of this.#pods.keys()) {
      if (!seen.has(uid)) {
        this.#pods.delete(uid);
        this.#context.logs.forget(uid);
      }
    }
  }

  #step(pod: KubeObject): void {
    const { store, clock, events } = this.#context;
    const now = clock.now();
    const uid = pod.metadata.uid!;
    const runtime = this.#pods.get(uid) ?? this.#admit(pod, now);
    const host = String(field(pod, 'spec', 'nodeName'));
    if (pod.metadata.deletionTimestamp !== undefined) {
      if (runtime.deletingSince === undefined) {
        runtime.deletingSince = now;
        for (const c of runtime.containers) {
          if (c.phase === 'running') {
            events.record({
              about: pod,
              type: 'Normal',
              reason: 'Killing',
              message: `Stopping container ${c.name}`,
              component: 'kubelet',
              host,
            });
          }
        }
      }
      const terminationMs = Math.min(
        ...runtime.containers.map((c) => c.resolved.timing.terminationMs),
      );
      if (now - runtime.deletingSince >= terminationMs) {
        store.remove(TYPES.pod, pod.metadata.namespace, pod.metadata.name);
        this.#pods.delete(uid);
        this.#context.logs.forget(uid);
      }
      return;
    }
    this.#takeOverride(uid, runtime, now);
    for (const container of runtime.containers) this.#advance(pod, container, now, host);
    const ready = runtime.containers.every((c) => c.ready);
    if (ready !== runtime.readyState) {
      runtime.readyState = ready;
      runtime.readySince = now;
    }
    store.update(TYPES.pod, pod.metadata.namespace, pod.metadata.name, (current) => {
      current.status = this.#status(current, runtime);
      return true;
    });
  }

  /**
   * A running pod told to go bad: its containers follow the new behaviour from now on (a
   * crashing one that has run longer than `runFor` exits at once, then restarts with back-off).
   */
  #takeOverride(uid: string, runtime: PodRuntime, now: number): void {
    const override = this.#context.podOverrides.get(uid);
    if (!override) return;
    this.#context.podOverrides.delete(uid);
    for (const c of runtime.containers) {
      c.resolved = { ...c.resolved, behaviour: override.behaviour };
      if (override.behaviour.kind === 'not-ready') c.ready = false;
      if (override.logs && c.phase === 'running') {
        this.#context.logs.append(
          uid,
          c.name,
          override.logs.map((text, i) => ({ at: now + i, text })),
        );
      }
    }
  }

  #admit(pod: KubeObject, now: number): PodRuntime {
    const containers = (field(pod, 'spec', 'containers') ?? []) as {
      name: string;
      image: string;
    }[];
    const labels = pod.metadata.labels ?? {};
    const runtime: PodRuntime = {
      containers: containers.map((c) => {
        const resolved = resolveBehaviour(
          this.#context.behaviours,
          c.image,
          labels,
          this.#context.timing,
        );
        return {
          name: c.name,
          image: c.image,
          resolved,
          phase: 'creating',
          since: now,
          until: now + resolved.timing.startMs,
          instance: 0,
          restartCount: 0,
          ready: false,
          lastUnhealthyAt: 0,
        };
      }),
      readySince: now,
      readyState: false,
      ip: `10.244.${Math.floor(this.#nextIp / 250)}.${(this.#nextIp % 250) + 2}`,
    };
    this.#nextIp++;
    this.#pods.set(pod.metadata.uid!, runtime);
    return runtime;
  }

  #advance(pod: KubeObject, c: ContainerRuntime, now: number, host: string): void {
    const { events } = this.#context;
    const say = (type: 'Normal' | 'Warning', reason: string, message: string) =>
      events.record({ about: pod, type, reason, message, component: 'kubelet', host });
    const { behaviour, timing } = c.resolved;
    const backoff = () => timing.backoffMs * Math.min(MAX_BACKOFF_FACTOR, 2 ** c.restartCount);
    if (
      (c.phase === 'creating' || c.phase === 'backoff' || c.phase === 'pull-backoff') &&
      now >= c.until
    ) {
      if (behaviour.kind === 'image-pull') {
        say('Normal', 'Pulling', `Pulling image "${c.image}"`);
        say('Warning', 'Failed', `Failed to pull image "${c.image}": ${behaviour.message}`);
        say('Warning', 'Failed', 'Error: ErrImagePull');
        c.phase = 'pull-failed';
        c.since = now;
        c.until = now + timing.backoffMs;
        return;
      }
      if (c.phase === 'backoff') c.restartCount++;
      this.#start(pod, c, now);
      say('Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
      say('Normal', 'Created', `Created container ${c.name}`);
      say('Normal', 'Started', `Started container ${c.name}`);
      return;
    }
    if (c.phase === 'pull-failed' && now >= c.until) {
      say('Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
      say('Warning', 'Failed', 'Error: ImagePullBackOff');
      c.phase = 'pull-backoff';
      c.since = now;
      c.until = now + backoff();
      c.restartCount = Math.min(c.restartCount + 1, 8);
      return;
    }
    if (c.phase !== 'running') return;
    if (behaviour.kind === 'ok' && !c.ready && now - c.since >= timing.readyAfterMs) c.ready = true;
    if (
      behaviour.kind === 'not-ready' &&
      now - c.lastUnhealthyAt >= 2000 &&
      now - c.since >= timing.readyAfterMs
    ) {
      c.lastUnhealthyAt = now;
      say('Warning', 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503');
    }
    if (behaviour.kind === 'crash' && now - c.since >= behaviour.runForMs) {
      const oom = behaviour.reason === 'OOMKilled';
      this.#context.logs.append(pod.metadata.uid!, c.name, [
        {
          at: now,
          text: oom
            ? 'fatal error: runtime: out of memory'
            : `fatal: ${c.name} exited with code ${behaviour.exitCode}`,
        },
      ]);
      c.lastTerminated = {
        exitCode: behaviour.exitCode,
        reason: behaviour.reason,
        startedAt: rfc3339(c.since),
        finishedAt: rfc3339(now),
        containerID: containerId(pod, c),
      };
      c.ready = false;
      c.phase = 'backoff';
      c.since = now;
      c.until = now + backoff();
      say(
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
      );
    }
  }

  #start(pod: KubeObject, c: ContainerRuntime, now: number): void {
    c.phase = 'running';
    c.since = now;
    c.instance++;
    const uid = pod.metadata.uid!;
    this.#context.logs.startInstance(uid, c.name);
    const lines = c.resolved.logs ?? defaultLog(c, pod);
    this.#context.logs.append(
      uid,
      c.name,
      lines.map((text, i) => ({
        at: now + i,
        text: text.replaceAll('{instance}', String(c.instance)),
      })),
    );
  }

  #status(pod: KubeObject, runtime: PodRuntime): Record<string, unknown> {
    const previous = record(pod.status ?? {});
    const now = this.#context.clock.now();
    const started = runtime.containers.some((c) => c.instance > 0);
    const condition = (type: string, status: boolean, since: number) => ({
      type,
      status: status ? 'True' : 'False',
      lastProbeTime: null,
      lastTransitionTime: rfc3339(since),
    });
    const scheduled = (
      (previous.conditions ?? []) as { type: string; lastTransitionTime?: string }[]
    ).find((c) => c.type === 'PodScheduled');
    const ready = runtime.readyState;
    return {
      ...previous,
      phase: started ? 'Running' : 'Pending',
      conditions: [
        condition('Initialized', true, Date.parse(String(pod.metadata.creationTimestamp))),
        {
          ...condition('Ready', ready, runtime.readySince),
          ...(ready
            ? {}
            : {
                reason: 'ContainersNotReady',
                message: `containers with unready status: [${runtime.containers
                  .filter((c) => !c.ready)
                  .map((c) => c.name)
                  .join(' ')}]`,
              }),
        },
        {
          ...condition('ContainersReady', ready, runtime.readySince),
          ...(ready ? {} : { reason: 'ContainersNotReady' }),
        },
        scheduled ?? condition('PodScheduled', true, now),
      ],
      hostIP: '192.168.49.2',
      podIP: runtime.ip,
      podIPs: [{ ip: runtime.ip }],
      startTime: previous.startTime ?? rfc3339(now),
      containerStatuses: runtime.containers.map((c) => containerStatus(pod, c)),
      qosClass: 'BestEffort',
    };
  }
}

function containerStatus(pod: KubeObject, c: ContainerRuntime): Record<string, unknown> {
  const backoffMessage = `back-off ${Math.round((c.until - c.since) / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  const pullMessage =
    c.resolved.behaviour.kind === 'image-pull' ? c.resolved.behaviour.message : '';
  const state =
    c.phase === 'running'
      ? { running: { startedAt: rfc3339(c.since) } }
      : c.phase === 'backoff'
        ? { waiting: { reason: 'CrashLoopBackOff', message: backoffMessage } }
        : c.phase === 'pull-failed'
          ? { waiting: { reason: 'ErrImagePull', message: pullMessage } }
          : c.phase === 'pull-backoff'
            ? {
                waiting: {
                  reason: 'ImagePullBackOff',
                  message: `Back-off pulling image "${c.image}": ${pullMessage}`,
                },
              }
            : { waiting: { reason: 'ContainerCreating' } };
  return {
    name: c.name,
    state,
    lastState: c.lastTerminated ? { terminated: c.lastTerminated } : {},
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.instance > 0 ? `docker-pullable://${c.image}@sha256:${'0'.repeat(64)}` : '',
    ...(c.instance > 0 ? { containerID: containerId(pod, c) } : {}),
    started: c.phase === 'running',
  };
}

function containerId(pod: KubeObject, c: ContainerRuntime): string {
  const base = `${pod.metadata.uid}${c.name}${c.instance}`.replace(/[^0-9a-f]/g, '');
  return `containerd://${base.padEnd(64, '0').slice(0, 64)}`;
}

function defaultLog(c: ContainerRuntime, pod: KubeObject): string[] {
  const lines = [
    `${c.name} (${c.image}) starting in pod ${pod.metadata.name}, instance {instance}`,
  ];
  for (let i = 1; i <= 150; i++)
    lines.push(`${c.name} instance {instance}: GET /healthz 200 (${i})`);
  return lines;
}

export function nodeReady(node: KubeObject): boolean {
  const conditions = (field(node, 'status', 'conditions') ?? []) as {
    type: string;
    status: string;
  }[];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}
