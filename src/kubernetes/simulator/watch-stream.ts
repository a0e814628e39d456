import type { Clock } from '../../support/clock.ts';
import { errors } from './api-status.ts';
import type { Change, ObjectStore } from './object-store.ts';
import type { KubeObject } from './objects.ts';
import { groupVersion, type ResourceType } from './resources.ts';
import type { Matcher } from './selectors.ts';

/** Where a watch writes its event lines: an HTTP/1.1 chunked body or an HTTP/2 stream. */
export interface WatchSink {
  write(line: string): void;
  end(): void;
}

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  matches: Matcher;
  resourceVersion: string | null;
  sendInitialEvents: boolean;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  bookmarkIntervalMs: number;
  /** Fault: close the stream after this many events. */
  cutAfterEvents?: number;
  /** Fault: answer at once with a 410 Expired ERROR event. */
  expire?: boolean;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * One watch, as the API server's watch cache serves it: from resourceVersion "" or "0" the
 * current objects as ADDED, from a later one the changes after it (replay, so a change between
 * a client's LIST and its WATCH is not lost), or an ERROR 410 when the history no longer
 * reaches back; then live changes, with selector transitions sent as ADDED and DELETED;
 * BOOKMARKs when asked, and the stream closed at timeoutSeconds. Returns the stop function.
 */
export function startWatch(
  store: ObjectStore,
  clock: Clock,
  request: WatchRequest,
  sink: WatchSink,
): () => void {
  const { type } = request;
  let events = 0;
  let stopped = false;
  const timers: unknown[] = [];
  let unsubscribe = () => {};
  const stop = () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    for (const timer of timers) clock.clearTimeout(timer);
    sink.end();
  };
  const send = (eventType: EventType, object: unknown) => {
    if (stopped) return;
    sink.write(`${JSON.stringify({ type: eventType, object })}\n`);
    if (eventType === 'BOOKMARK' || eventType === 'ERROR') return;
    events++;
    if (request.cutAfterEvents !== undefined && events >= request.cutAfterEvents) stop();
  };
  const expired = (message: string) => {
    send('ERROR', errors.expired(message).status);
    stop();
  };
  if (request.expire) {
    expired(`too old resource version: ${request.resourceVersion ?? 0} (${store.resourceVersion})`);
    return stop;
  }
  const inScope = (o: KubeObject) =>
    (request.namespace === undefined || o.metadata.namespace === request.namespace) &&
    request.matches(o);
  const deliver = (change: Change) => {
    if (change.resource !== type) return;
    const now = inScope(change.object);
    const before = change.previous !== undefined && inScope(change.previous);
    if (change.type === 'ADDED' && now) send('ADDED', change.object);
    else if (change.type === 'DELETED' && (before || now)) send('DELETED', change.object);
    else if (change.type === 'MODIFIED') {
      if (now && before) send('MODIFIED', change.object);
      else if (now) send('ADDED', change.object);
      else if (before) send('DELETED', change.object);
    }
  };
  const rv = request.resourceVersion;
  if (rv === null || rv === '' || rv === '0' || request.sendInitialEvents) {
    for (const object of store.list(type, request.namespace).filter(request.matches))
      send('ADDED', object);
    if (request.sendInitialEvents) {
      send(
        'BOOKMARK',
        bookmark(type, store.resourceVersion, { 'k8s.io/initial-events-end': 'true' }),
      );
    }
  } else {
    const since = Number(rv);
    const replay = Number.isFinite(since) ? store.changesSince(type, since) : 'expired';
    if (replay === 'expired') {
      expired(`too old resource version: ${rv} (${store.resourceVersion})`);
      return stop;
    }
    for (const change of replay) deliver(change);
  }
  if (stopped) return stop;
  unsubscribe = store.subscribe(deliver);
  if (request.allowBookmarks) {
    // One timer at a time, re-armed after each bookmark, so a day-long watch holds one handle.
    const tick = () => {
      send('BOOKMARK', bookmark(type, store.resourceVersion));
      if (!stopped) timers[0] = clock.setTimeout(tick, request.bookmarkIntervalMs);
    };
    timers[0] = clock.setTimeout(tick, request.bookmarkIntervalMs);
  }
  if (request.timeoutSeconds !== undefined && request.timeoutSeconds > 0) {
    timers.push(clock.setTimeout(stop, request.timeoutSeconds * 1000));
  }
  return stop;
}

function bookmark(
  type: ResourceType,
  resourceVersion: string,
  annotations?: Record<string, string>,
) {
  return {
    kind: type.kind,
    apiVersion: groupVersion(type),
    metadata: { resourceVersion, ...(annotations ? { annotations } : {}) },
  };
}
