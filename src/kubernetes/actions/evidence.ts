import { KubeApiError } from '../client/api-error.ts';
import type { KubeClient } from '../client/kube-client.ts';
import {
  type KubeObject,
  listAll,
  type ObjectRef,
  paths,
  podsOf,
  replicaSetsOf,
  revisionOf,
} from './objects.ts';
import { rolloutState } from './rollout-status.ts';

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: Record<string, { reason?: string; exitCode?: number; startedAt?: string }>;
  lastState?: { terminated?: { reason?: string; exitCode?: number; finishedAt?: string } };
}

const statusesOf = (pod: KubeObject): ContainerStatus[] =>
  (pod.status as { containerStatuses?: ContainerStatus[] } | undefined)?.containerStatuses ?? [];

const restartsOf = (pod: KubeObject) =>
  statusesOf(pod).reduce((n, c) => n + (c.restartCount ?? 0), 0);

export const getDeployment = (client: KubeClient, ref: ObjectRef, signal: AbortSignal) =>
  client.json<KubeObject>({ method: 'GET', path: paths.deployment(ref), signal });

/** The pods to read: one named, or a Deployment's, those restarted most first. */
export async function podsToRead(
  client: KubeClient,
  target: { namespace: string; deployment?: string; pod?: string },
  maxPods: number,
  signal: AbortSignal,
): Promise<KubeObject[]> {
  if (target.pod !== undefined) {
    return [
      await client.json<KubeObject>({
        method: 'GET',
        path: paths.pod({ namespace: target.namespace, name: target.pod }),
        signal,
      }),
    ];
  }
  const deployment = await getDeployment(
    client,
    { namespace: target.namespace, name: target.deployment! },
    signal,
  );
  const pods = await podsOf(client, deployment, signal);
  return pods.sort((a, b) => restartsOf(b) - restartsOf(a)).slice(0, maxPods);
}

/** One log read, for the journal: which instance, how much, or why there was none. */
export interface LogRead {
  pod: string;
  container: string;
  previous: boolean;
  lines: number;
  truncated: boolean;
  error?: string;
}

export interface LogOptions {
  container: string | undefined;
  tailLines: number;
  /** `auto`: the previous instance too when the container restarted. */
  previous: 'auto' | 'always' | 'never';
  maxBytes: number;
}

/**
 * Pod logs as `kubectl logs --tail` (and `--previous`) reads them: per pod and container, the
 * current instance and, when it restarted, the one before (the crash), with why it ended. Each
 * read is bounded by `limitBytes` on the server and again here.
 */
export async function podLogs(
  client: KubeClient,
  pods: KubeObject[],
  options: LogOptions,
  signal: AbortSignal,
): Promise<{ text: string; logs: LogRead[] }> {
  const out: string[] = [];
  const logs: LogRead[] = [];
  const share = Math.max(1024, Math.floor(options.maxBytes / Math.max(1, pods.length * 2)));
  for (const pod of pods) {
    const ref = { namespace: pod.metadata.namespace!, name: pod.metadata.name };
    const containers = ((pod.spec as { containers?: { name: string }[] }).containers ?? []).map(
      (c) => c.name,
    );
    const names = options.container !== undefined ? [options.container] : containers;
    for (const container of names) {
      const status = statusesOf(pod).find((c) => c.name === container);
      const restarted = (status?.restartCount ?? 0) > 0;
      const instances: boolean[] =
        options.previous === 'always'
          ? [true, false]
          : options.previous === 'auto' && restarted
            ? [true, false]
            : [false];
      for (const previous of instances) {
        const ended = previous ? status?.lastState?.terminated : undefined;
        const head = `== pod/${ref.name} container ${container}${previous ? ` (previous instance${ended ? `: ${ended.reason ?? 'terminated'}, exit ${ended.exitCode}` : ''})` : ''} ==`;
        try {
          const { text, truncated } = await client.text(
            {
              method: 'GET',
              path: `${paths.pod(ref)}/log`,
              query: {
                container,
                tailLines: options.tailLines,
                limitBytes: share,
                ...(previous ? { previous: true } : {}),
              },
              signal,
            },
            share,
          );
          const body = text.endsWith('\n') ? text.slice(0, -1) : text;
          out.push(head, ...(truncated ? ['[... cut at the byte limit]'] : []), body);
          logs.push({
            pod: ref.name,
            container,
            previous,
            lines: body === '' ? 0 : body.split('\n').length,
            truncated,
          });
        } catch (err) {
          const error = err instanceof KubeApiError ? err.serverMessage : (err as Error).message;
          out.push(head, `[no log: ${error}]`);
          logs.push({ pod: ref.name, container, previous, lines: 0, truncated: false, error });
        }
      }
    }
  }
  return { text: out.join('\n'), logs };
}

export interface EventLike {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  involvedObject?: { kind?: string; name?: string };
}

/** When an event last happened, as the API gives it (RFC 3339). */
export const eventTime = (e: EventLike): string =>
  e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? '';

/** One event as a line: when, type, reason, the object, how many times, the message. */
export const eventLine = (e: EventLike): string =>
  `${eventTime(e)}  ${e.type ?? ''}  ${e.reason ?? ''}  ${e.involvedObject?.kind?.toLowerCase()}/${e.involvedObject?.name}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}  ${e.message ?? ''}`;

/**
 * Events of a Deployment, its ReplicaSets and its pods (core/v1, by involvedObject field
 * selector, as `kubectl get events --field-selector` asks), newest last, at most `max`.
 */
export async function objectEvents(
  client: KubeClient,
  ref: ObjectRef,
  kind: 'Deployment' | 'Pod',
  maxObjects: number,
  max: number,
  signal: AbortSignal,
): Promise<{ text: string; events: EventLike[] }> {
  const names: [string, string][] = [[kind, ref.name]];
  if (kind === 'Deployment') {
    const deployment = await getDeployment(client, ref, signal);
    for (const rs of (await replicaSetsOf(client, deployment, signal)).slice(0, 2))
      names.push(['ReplicaSet', rs.metadata.name]);
    for (const pod of (await podsOf(client, deployment, signal)).slice(0, maxObjects))
      names.push(['Pod', pod.metadata.name]);
  }
  const events: EventLike[] = [];
  for (const [k, name] of names) {
    const list = await listAll(
      client,
      paths.events(ref.namespace),
      { fieldSelector: `involvedObject.kind=${k},involvedObject.name=${name}` },
      signal,
      max,
    );
    events.push(...(list.items as unknown as EventLike[]));
  }
  events.sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
  const kept = events.slice(-max);
  const text = kept.map(eventLine).join('\n');
  return {
    text:
      kept.length > 0 ? text : `no events for ${kind.toLowerCase()}/${ref.name} and its objects`,
    events: kept,
  };
}

/**
 * A Deployment described for a person reading an incident: its spec in short, its conditions,
 * the rollout state kubectl would print, its ReplicaSets with revisions, its pods with restart
 * counts and why their containers last ended.
 */
export async function describeDeployment(
  client: KubeClient,
  ref: ObjectRef,
  signal: AbortSignal,
): Promise<{ text: string; data: Record<string, unknown> }> {
  const d = await getDeployment(client, ref, signal);
  const spec = d.spec as {
    replicas?: number;
    paused?: boolean;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: unknown; maxUnavailable?: unknown } };
    template?: { spec?: { containers?: { name: string; image?: string }[] } };
  };
  const status = (d.status ?? {}) as {
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
  const replicaSets = await replicaSetsOf(client, d, signal);
  const pods = await podsOf(client, d, signal);
  const rollout = rolloutState(d as Parameters<typeof rolloutState>[0]);
  const podRows = pods.map((pod) => {
    const statuses = statusesOf(pod);
    const last = statuses.map((c) => c.lastState?.terminated).find((t) => t !== undefined);
    const waiting = statuses.map((c) => c.state?.waiting?.reason).find((r) => r !== undefined);
    return {
      name: pod.metadata.name,
      phase: (pod.status as { phase?: string } | undefined)?.phase,
      node: (pod.spec as { nodeName?: string }).nodeName,
      ready: statuses.length > 0 && statuses.every((c) => c.ready),
      restarts: restartsOf(pod),
      ...(waiting ? { waiting } : {}),
      ...(last
        ? { lastTermination: { reason: last.reason, exitCode: last.exitCode, at: last.finishedAt } }
        : {}),
    };
  });
  const rsRows = replicaSets.map((rs) => ({
    name: rs.metadata.name,
    revision: revisionOf(rs),
    replicas: (rs.spec as { replicas?: number }).replicas,
    ready: (rs.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0,
    images: (
      (rs.spec as { template?: { spec?: { containers?: { image?: string }[] } } }).template?.spec
        ?.containers ?? []
    ).map((c) => c.image),
  }));
  const strategy = spec.strategy?.type ?? 'RollingUpdate';
  const lines = [
    `deployment ${ref.namespace}/${ref.name}: revision ${d.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '?'}, generation ${d.metadata.generation} (observed ${(d.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? '?'})${spec.paused ? ', PAUSED' : ''}`,
    `replicas: ${spec.replicas} desired, ${status.updatedReplicas ?? 0} updated, ${status.replicas ?? 0} total, ${status.readyReplicas ?? 0} ready, ${status.availableReplicas ?? 0} available`,
    `strategy: ${strategy}${strategy === 'RollingUpdate' ? ` (maxSurge ${spec.strategy?.rollingUpdate?.maxSurge ?? '25%'}, maxUnavailable ${spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%'})` : ''}`,
    `containers: ${(spec.template?.spec?.containers ?? []).map((c) => `${c.name}=${c.image}`).join(', ')}`,
    `rollout: ${rollout.message}`,
    'conditions:',
    ...(status.conditions ?? []).map(
      (c) => `  ${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`,
    ),
    'replica sets (newest revision first):',
    ...rsRows.map(
      (r) =>
        `  ${r.name}  revision ${r.revision}  ${r.ready}/${r.replicas} ready  ${r.images.join(', ')}`,
    ),
    'pods:',
    ...podRows.map(
      (p) =>
        `  ${p.name}  ${p.phase}${p.waiting ? ` (${p.waiting})` : ''}  ${p.ready ? 'ready' : 'not ready'}  restarts ${p.restarts}${p.node ? `  on ${p.node}` : ''}${p.lastTermination ? `  last ended: ${p.lastTermination.reason} (exit ${p.lastTermination.exitCode})` : ''}`,
    ),
  ];
  return {
    text: lines.join('\n'),
    data: {
      revision: revisionOf(d),
      rollout: rollout.kind,
      conditions: status.conditions ?? [],
      replicaSets: rsRows,
      pods: podRows,
    },
  };
}
