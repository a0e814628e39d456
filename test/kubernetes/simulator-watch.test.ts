import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { ObjectStore } from '../../src/kubernetes/simulator/object-store.ts';
import type { KubeObject } from '../../src/kubernetes/simulator/objects.ts';
import { resourceOfKind } from '../../src/kubernetes/simulator/resources.ts';
import {
  parseFieldSelector,
  parseLabelSelector,
} from '../../src/kubernetes/simulator/selectors.ts';
import { startWatch, type WatchRequest } from '../../src/kubernetes/simulator/watch-stream.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const CONFIG_MAP = resourceOfKind('ConfigMap')!;

interface Event {
  type: string;
  object: KubeObject;
}

function watch(store: ObjectStore, clock: FakeClock, request: Partial<WatchRequest>) {
  const events: Event[] = [];
  let ended = false;
  const stop = startWatch(
    store,
    clock,
    {
      type: CONFIG_MAP,
      matches: () => true,
      resourceVersion: null,
      sendInitialEvents: false,
      allowBookmarks: false,
      bookmarkIntervalMs: 1000,
      ...request,
    },
    {
      write: (line) => events.push(JSON.parse(line) as Event),
      end: () => {
        ended = true;
      },
    },
  );
  return { events, ended: () => ended, stop };
}

const cm = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  metadata: { name, namespace: 'shop', labels },
});

test('a watch from a resourceVersion replays what changed after it, then streams live changes', () => {
  const clock = new FakeClock();
  const store = new ObjectStore({ clock });
  store.create(CONFIG_MAP, cm('a'));
  const listedAt = store.resourceVersion;
  store.create(CONFIG_MAP, cm('b')); // between the LIST and the WATCH
  const w = watch(store, clock, { resourceVersion: listedAt });
  store.update(CONFIG_MAP, 'shop', 'a', (o) => {
    o.data = { k: 'v' };
    return true;
  });
  store.remove(CONFIG_MAP, 'shop', 'b');
  assert.deepEqual(
    w.events.map((e) => [e.type, e.object.metadata.name]),
    [
      ['ADDED', 'b'],
      ['MODIFIED', 'a'],
      ['DELETED', 'b'],
    ],
  );
  // resourceVersions are opaque to clients, but they must grow: each event carries a newer one.
  const versions = w.events.map((e) => Number(e.object.metadata.resourceVersion));
  assert.deepEqual(
    [...versions].sort((x, y) => x - y),
    versions,
  );
  w.stop();
});

test('a resourceVersion older than the history is an ERROR event with 410 Expired, and the stream ends', () => {
  const clock = new FakeClock();
  const store = new ObjectStore({ clock, historyLimit: 2 });
  for (const name of ['a', 'b', 'c', 'd']) store.create(CONFIG_MAP, cm(name));
  const w = watch(store, clock, { resourceVersion: '1' });
  assert.equal(w.events.length, 1);
  assert.equal(w.events[0]!.type, 'ERROR');
  assert.equal((w.events[0]!.object as unknown as { code: number; reason: string }).code, 410);
  assert.equal((w.events[0]!.object as unknown as { reason: string }).reason, 'Expired');
  assert.ok(w.ended());
});

test('an object that stops matching the selector is DELETED for that watch; one that starts matching is ADDED', () => {
  const clock = new FakeClock();
  const store = new ObjectStore({ clock });
  store.create(CONFIG_MAP, cm('a', { app: 'web' }));
  const w = watch(store, clock, {
    resourceVersion: store.resourceVersion,
    matches: parseLabelSelector('app=web'),
  });
  store.update(CONFIG_MAP, 'shop', 'a', (o) => {
    o.metadata.labels = { app: 'api' };
    return true;
  });
  store.update(CONFIG_MAP, 'shop', 'a', (o) => {
    o.metadata.labels = { app: 'web' };
    return true;
  });
  assert.deepEqual(
    w.events.map((e) => e.type),
    ['DELETED', 'ADDED'],
  );
  w.stop();
});

test('bookmarks on the clock, sendInitialEvents with its end bookmark, and timeoutSeconds closes the stream', async () => {
  const clock = new FakeClock();
  const store = new ObjectStore({ clock });
  store.create(CONFIG_MAP, cm('a'));
  const w = watch(store, clock, {
    sendInitialEvents: true,
    allowBookmarks: true,
    timeoutSeconds: 5,
  });
  assert.deepEqual(
    w.events.map((e) => e.type),
    ['ADDED', 'BOOKMARK'],
  );
  assert.equal(w.events[1]!.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
  await clock.advance(2500);
  assert.deepEqual(
    w.events.map((e) => e.type),
    ['ADDED', 'BOOKMARK', 'BOOKMARK', 'BOOKMARK'],
  );
  assert.equal(w.ended(), false);
  await clock.advance(3000);
  assert.ok(w.ended());
});

test('selectors: set-based label selectors, and field selectors limited to the labels the server supports', () => {
  const object = cm('a', { app: 'web', tier: 'front' });
  assert.equal(parseLabelSelector('app in (web,api),tier!=back,!canary')(object), true);
  assert.equal(parseLabelSelector('app notin (web)')(object), false);
  assert.equal(parseLabelSelector('tier')(object), true);
  const pod: KubeObject = {
    metadata: { name: 'p', namespace: 'shop' },
    spec: { nodeName: 'node-1' },
  };
  assert.equal(
    parseFieldSelector(TYPES.pod, 'spec.nodeName=node-1,metadata.namespace=shop')(pod),
    true,
  );
  assert.throws(
    () => parseFieldSelector(TYPES.deployment, 'spec.replicas=1'),
    /field label not supported: spec\.replicas/,
  );
});
