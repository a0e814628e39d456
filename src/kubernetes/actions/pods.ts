import { abortReason, sleep } from '../../support/sleep.ts';
import { isNotFound } from '../client/api-error.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { type HealMark, isMarked } from './marks.ts';
import {
  ActionFailed,
  type ActionReport,
  type KubeObject,
  type ObjectRef,
  patchMark,
  paths,
} from './objects.ts';

const POLL_MS = 1000;

/**
 * `kubectl delete pod`: the mark first (so a run resumed after a crash knows the pod it finds
 * is the one it was deleting), then DELETE with the pod's uid as a precondition and background
 * propagation, then, like kubectl's --wait, until the pod is gone or replaced by a new uid.
 */
export async function deletePod(
  client: KubeClient,
  ref: ObjectRef,
  mark: HealMark,
  options: { wait: boolean; gracePeriodSeconds: number | undefined },
  now: Date,
  signal: AbortSignal,
): Promise<ActionReport> {
  let pod: KubeObject;
  try {
    pod = await client.json<KubeObject>({ method: 'GET', path: paths.pod(ref), signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return {
      changed: false,
      message: `pod/${ref.name} is already gone`,
      data: { alreadyGone: true },
    };
  }
  const ours = isMarked(pod, mark);
  if (!ours) {
    pod = await patchMark(client, paths.pod(ref), mark, now, signal);
  }
  const uid = pod.metadata.uid;
  if (!pod.metadata.deletionTimestamp) {
    try {
      await client.json({
        method: 'DELETE',
        path: paths.pod(ref),
        body: {
          propagationPolicy: 'Background',
          preconditions: { uid },
          ...(options.gracePeriodSeconds !== undefined
            ? { gracePeriodSeconds: options.gracePeriodSeconds }
            : {}),
        },
        signal,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  const deleted = `pod/${ref.name} deleted${ours ? ' (resumed: it was marked by this step)' : ''}`;
  if (!options.wait) return { changed: true, message: deleted, data: { uid } };
  for (;;) {
    try {
      const now = await client.json<KubeObject>({ method: 'GET', path: paths.pod(ref), signal });
      if (now.metadata.uid !== uid) break;
    } catch (err) {
      if (isNotFound(err)) break;
      if (signal.aborted)
        throw new ActionFailed(`${deleted}, but ${abortReason(signal)} waiting for it to go`);
      throw err;
    }
    if (!(await sleep(POLL_MS, signal))) {
      throw new ActionFailed(`${deleted}, but ${abortReason(signal)} waiting for it to go`);
    }
  }
  return { changed: true, message: `${deleted} and gone`, data: { uid } };
}
