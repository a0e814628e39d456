import { type EventLike, eventLine, eventTime } from '../actions/evidence.ts';
import { listAll, paths } from '../actions/objects.ts';
import type { KubeClient } from '../client/kube-client.ts';
import { NODE_EVENTS_NAMESPACE } from './permissions.ts';

/** Events kept as a signal's evidence: the newest of the object's, at most this many. */
export const MAX_EVENTS = 10;
/** An events read that takes longer is left out of the evidence (the signal does not wait). */
const EVENTS_TIMEOUT_MS = 2000;

export interface RecentEvents {
  events: { at: string; type: string; reason: string; message: string; count: number }[];
  text: string;
  /** Why there are none when the read failed. */
  error?: string;
}

/**
 * The newest events of one object (core/v1, by involvedObject field selector, as `kubectl get
 * events --field-selector` asks; a Node's are in `default`), newest last, at most MAX_EVENTS,
 * read within two seconds: a signal waits no longer for its evidence.
 */
export async function recentEvents(
  client: KubeClient,
  object: { kind: 'Pod' | 'Deployment' | 'Node'; namespace: string; name: string },
  stop: AbortSignal,
): Promise<RecentEvents> {
  const namespace = object.kind === 'Node' ? NODE_EVENTS_NAMESPACE : object.namespace;
  const signal = AbortSignal.any([stop, AbortSignal.timeout(EVENTS_TIMEOUT_MS)]);
  try {
    const list = await listAll(
      client,
      paths.events(namespace),
      { fieldSelector: `involvedObject.kind=${object.kind},involvedObject.name=${object.name}` },
      signal,
      500,
    );
    const events = (list.items as unknown as EventLike[])
      .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
      .slice(-MAX_EVENTS);
    return {
      events: events.map((e) => ({
        at: eventTime(e),
        type: e.type ?? '',
        reason: e.reason ?? '',
        message: e.message ?? '',
        count: e.count ?? 1,
      })),
      text:
        events.length > 0
          ? events.map(eventLine).join('\n')
          : `no events for ${object.kind.toLowerCase()}/${object.name}`,
    };
  } catch (err) {
    const error = `events of ${object.kind.toLowerCase()}/${object.name} not read: ${(err as Error).message}`;
    return { events: [], text: error, error };
  }
}
