import { abortReason, sleep } from '../../support/sleep.ts';
import { isNotFound, KubeApiError } from '../client/api-error.ts';
import { FIELD_MANAGER, type KubeClient, PATCH } from '../client/kube-client.ts';
import { type HealMark, markAnnotations } from './marks.ts';
import { ActionFailed, type ActionReport, type KubeObject, listAll, paths } from './objects.ts';

/**
 * `kubectl cordon` / `uncordon`: a strategic merge patch of spec.unschedulable, with mend's mark
 * in the same patch. A node already in that state is left alone, as kubectl does. Setting a
 * flag is idempotent, so a run resumed after a crash needs no mark to be safe.
 */
export async function setSchedulable(
  client: KubeClient,
  node: string,
  unschedulable: boolean,
  mark: HealMark,
  now: Date,
  signal: AbortSignal,
): Promise<ActionReport> {
  const word = unschedulable ? 'cordoned' : 'uncordoned';
  const current = await client.json<KubeObject>({ method: 'GET', path: paths.node(node), signal });
  if (
    Boolean((current.spec as { unschedulable?: boolean } | undefined)?.unschedulable) ===
    unschedulable
  ) {
    return { changed: false, message: `node/${node} already ${word}` };
  }
  await client.json({
    method: 'PATCH',
    path: paths.node(node),
    query: { fieldManager: FIELD_MANAGER },
    body: {
      metadata: { annotations: markAnnotations(mark, now.toISOString()) },
      spec: { unschedulable },
    },
    contentType: PATCH.strategic,
    signal,
  });
  return { changed: true, message: `node/${node} ${word}` };
}

export interface DrainOptions {
  /** Evict pods no controller owns (they will not come back). kubectl's --force. */
  force: boolean;
  /** Evict pods with emptyDir volumes (their data is lost). kubectl's --delete-emptydir-data. */
  deleteEmptyDirData: boolean;
  /** Wait between evictions a disruption budget refuses (kubectl: 5 s). */
  retryMs: number;
  /**
   * kubectl's --grace-period: the evicted pods' termination grace, in seconds (unset: each
   * pod's own terminationGracePeriodSeconds).
   */
  gracePeriodSeconds?: number;
  /**
   * kubectl's --skip-wait-for-delete-timeout: a pod whose deletionTimestamp is more than this
   * many seconds past is not evicted again nor waited for. What drains a NotReady node, whose
   * kubelet will never finish its pods' termination. Unset or 0: wait for every pod.
   */
  skipWaitForDeleteTimeoutSeconds?: number;
  /** The time, for the deletionTimestamp comparison. */
  now?: () => number;
}

const POLL_MS = 1000;

/**
 * `kubectl drain --ignore-daemonsets`: cordon, then evict every pod on the node through the
 * eviction subresource, so PodDisruptionBudgets are respected: a 429 (the budget would be
 * violated) waits `retryMs` and asks again, until `signal` fires (the step's deadline), when the
 * drain fails naming the pods left and what the budget said, for the runbook to escalate.
 * Then waits until the evicted pods are gone. Idempotent: run again, it evicts what is left.
 */
export async function drainNode(
  client: KubeClient,
  node: string,
  options: DrainOptions,
  mark: HealMark,
  now: Date,
  signal: AbortSignal,
): Promise<ActionReport> {
  const cordon = await setSchedulable(client, node, true, mark, now, signal);
  const pods = await listAll(
    client,
    '/api/v1/pods',
    { fieldSelector: `spec.nodeName=${node}` },
    signal,
  );
  const skipped: string[] = [];
  const refused: string[] = [];
  const toEvict: KubeObject[] = [];
  const deletedLongAgo = longDeleted(options);
  for (const pod of pods.items) {
    const id = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const owners = pod.metadata.ownerReferences ?? [];
    const controller = owners.find((o) => o.controller);
    if (deletedLongAgo(pod)) skipped.push(`${id} (${deletedLongAgo.why})`);
    else if (pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined)
      skipped.push(`${id} (mirror pod)`);
    else if (controller?.kind === 'DaemonSet') skipped.push(`${id} (DaemonSet)`);
    else if (!controller && !options.force)
      refused.push(`${id} (no controller: it would not come back; force: true evicts it)`);
    else if (usesEmptyDir(pod) && !options.deleteEmptyDirData)
      refused.push(`${id} (emptyDir data would be lost; deleteEmptyDirData: true evicts it)`);
    else toEvict.push(pod);
  }
  if (refused.length > 0) {
    throw new ActionFailed(`cannot drain node/${node}: ${refused.join('; ')}`);
  }
  const evicted = new Map<string, string | undefined>();
  const blocked = new Map<string, string>();
  let evictions = 0;
  let refusals = 0;
  const left = () => toEvict.filter((p) => !evicted.has(key(p)));
  while (left().length > 0) {
    for (const pod of left()) {
      evictions++;
      try {
        await client.json({
          method: 'POST',
          path: `${paths.pod({ namespace: pod.metadata.namespace!, name: pod.metadata.name })}/eviction`,
          body: {
            kind: 'Eviction',
            apiVersion: 'policy/v1',
            metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace },
            deleteOptions:
              options.gracePeriodSeconds === undefined
                ? {}
                : { gracePeriodSeconds: options.gracePeriodSeconds },
          },
          signal,
        });
        evicted.set(key(pod), pod.metadata.uid);
        blocked.delete(key(pod));
      } catch (err) {
        if (isNotFound(err)) {
          evicted.set(key(pod), pod.metadata.uid);
        } else if (err instanceof KubeApiError && err.status === 429) {
          refusals++;
          blocked.set(key(pod), [err.serverMessage, ...err.causes].join(' '));
        } else if (signal.aborted) {
          break;
        } else {
          throw err;
        }
      }
    }
    if (left().length === 0) break;
    if (!(await sleep(options.retryMs, signal))) {
      const why = [...blocked].map(([pod, said]) => `${pod}: ${said}`).join('; ');
      throw new ActionFailed(
        `drain of node/${node} not done (${abortReason(signal)}): ${left().length} pod(s) not evicted after ${refusals} refusal(s): ${why || left().map(key).join(', ')}`,
      );
    }
  }
  // Evicted pods terminate gracefully: wait until each is gone (or replaced under its name).
  const abandoned: string[] = [];
  for (const [id, uid] of evicted) {
    const [namespace, name] = id.split('/') as [string, string];
    for (;;) {
      try {
        const pod = await client.json<KubeObject>({
          method: 'GET',
          path: paths.pod({ namespace, name }),
          signal,
        });
        if (pod.metadata.uid !== uid) break;
        if (deletedLongAgo(pod)) {
          abandoned.push(`pod/${id} ${deletedLongAgo.why}, not waited for`);
          break;
        }
      } catch (err) {
        if (isNotFound(err)) break;
        if (!signal.aborted) throw err;
      }
      if (!(await sleep(POLL_MS, signal))) {
        throw new ActionFailed(
          `node/${node} drained of evictions, but ${abortReason(signal)} waiting for ${id} to terminate`,
        );
      }
    }
  }
  return {
    changed: cordon.changed || evicted.size > 0,
    message: [
      cordon.message,
      ...[...evicted.keys()].map((id) => `pod/${id} evicted`),
      ...abandoned,
      ...skipped.map((s) => `ignored ${s}`),
      `node/${node} drained`,
    ].join('\n'),
    data: { evicted: [...evicted.keys()], skipped, evictions, refusals },
  };
}

/**
 * kubectl's shouldSkipPod: the pod's deletionTimestamp (its deletion time plus its grace) is
 * more than skipWaitForDeleteTimeoutSeconds past.
 */
function longDeleted(options: DrainOptions): ((pod: KubeObject) => boolean) & { why: string } {
  const skip = options.skipWaitForDeleteTimeoutSeconds ?? 0;
  const now = options.now ?? Date.now;
  const test = (pod: KubeObject) => {
    const at = pod.metadata.deletionTimestamp;
    return skip > 0 && at !== undefined && (now() - Date.parse(at)) / 1000 > skip;
  };
  return Object.assign(test, { why: `deleted more than ${skip} s ago` });
}

const key = (pod: KubeObject) => `${pod.metadata.namespace}/${pod.metadata.name}`;

function usesEmptyDir(pod: KubeObject): boolean {
  const volumes = (pod.spec as { volumes?: { emptyDir?: unknown }[] } | undefined)?.volumes ?? [];
  return volumes.some((v) => v.emptyDir !== undefined);
}
