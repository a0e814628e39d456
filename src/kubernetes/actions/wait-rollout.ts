import { sleep } from '../../support/sleep.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { type KubeList, type ObjectRef, paths } from './objects.ts';
import { type RolloutState, rolloutState } from './rollout-status.ts';

const EMPTY_WATCH_PAUSE_MS = 1000;

export interface RolloutWait {
  state: RolloutState;
  /** Status lines as kubectl prints them, one per change. */
  lines: string[];
  watches: number;
  relists: number;
}

/**
 * `kubectl rollout status`: list the one Deployment (by field selector, for a resourceVersion),
 * then watch from there; judge every version with rolloutState until it is done or failed. A
 * stream the server closes is watched again from the last version seen; 410 Expired lists
 * again. Ends when `signal` fires (the step's timeout), with the last state. Reads only, so a
 * run resumed after a crash simply watches again.
 */
export async function waitForRollout(
  client: KubeClient,
  ref: ObjectRef,
  signal: AbortSignal,
): Promise<RolloutWait> {
  const fieldSelector = `metadata.name=${ref.name}`;
  const lines: string[] = [];
  let state: RolloutState = {
    kind: 'waiting',
    message: 'Waiting for the deployment to be read...',
  };
  let watches = 0;
  let relists = -1;
  const judge = (object: unknown): boolean => {
    state = rolloutState(object as Parameters<typeof rolloutState>[0]);
    if (lines.at(-1) !== state.message) lines.push(state.message);
    return state.kind !== 'waiting';
  };
  const result = () => ({ state, lines, watches, relists });
  try {
    relist: for (;;) {
      relists++;
      const list = await client.json<KubeList>({
        method: 'GET',
        path: paths.deployments(ref.namespace),
        query: { fieldSelector },
        signal,
      });
      const found = list.items[0];
      if (!found) {
        state = {
          kind: 'failed',
          message: `deployment "${ref.name}" not found in namespace ${ref.namespace}`,
        };
        return result();
      }
      if (judge(found)) return result();
      let version = list.metadata.resourceVersion;
      for (;;) {
        watches++;
        let events = 0;
        const end = await client.watch(
          paths.deployments(ref.namespace),
          {
            fieldSelector,
            resourceVersion: version,
            allowWatchBookmarks: true,
            timeoutSeconds: 300,
          },
          (event) => {
            events++;
            const rv = (event.object.metadata as { resourceVersion?: string } | undefined)
              ?.resourceVersion;
            if (rv) version = rv;
            if (event.type === 'DELETED') {
              state = {
                kind: 'failed',
                message: `deployment "${ref.name}" was deleted while mend waited`,
              };
              return true;
            }
            return event.type === 'BOOKMARK' ? false : judge(event.object);
          },
          signal,
        );
        if (end === 'done') return result();
        if (end === 'expired') continue relist;
        // A stream cut before it said anything: not at once again (a reset loop would spin).
        if (events === 0 && !(await sleep(EMPTY_WATCH_PAUSE_MS, signal))) throw signal.reason;
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
    const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
    state = { kind: 'failed', message: `${reason} waiting for the rollout: ${state.message}` };
    return result();
  }
}
