import assert from 'node:assert/strict';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { field, type KubeObject } from '../../src/kubernetes/simulator/objects.ts';
import {
  deployment,
  forEachKubectl,
  rolledOut,
  rows,
  simulate,
  waitFor,
} from './helpers/kubectl.ts';

const podsOf = (pods: KubeObject[], app: string) =>
  pods.filter((p) => p.metadata.labels?.app === app && p.metadata.deletionTimestamp === undefined);
const restarts = (pod: KubeObject | undefined) =>
  Number(field(pod, 'status', 'containerStatuses', '0', 'restartCount') ?? 0);

// delete pod waits for the DELETED event; logs (tail and --previous); events; the states a
// crashing, OOM-killed and unpullable container show.
forEachKubectl(
  'delete pod waits, logs and --previous, events, and the crash states',
  async (t, minor) => {
    const { cluster, kubectl } = await simulate(t, minor, {
      behaviours: [
        {
          image: 'shop/api:1.0',
          behaviour: { kind: 'crash', runForMs: 200, exitCode: 1, reason: 'Error' },
          logs: ['api starting', 'api: cannot reach db: connection refused'],
        },
        {
          image: 'shop/worker:1.0',
          behaviour: { kind: 'crash', runForMs: 200, exitCode: 137, reason: 'OOMKilled' },
        },
        {
          image: 'shop/cron:1.0',
          behaviour: {
            kind: 'image-pull',
            message: 'rpc error: code = NotFound desc = shop/cron:1.0: not found',
          },
        },
      ],
    });
    cluster.apply(deployment('web', { replicas: 1 }));
    cluster.apply(deployment('api', { replicas: 1 }));
    cluster.apply(deployment('worker', { replicas: 1 }));
    cluster.apply(deployment('cron', { replicas: 1 }));
    await rolledOut(cluster, 'web');

    const web = podsOf(cluster.store.list(TYPES.pod, 'shop'), 'web')[0]!;
    const logs = await kubectl(['logs', web.metadata.name, '--tail=3']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.deepEqual(
      logs.stdout.trimEnd().split('\n'),
      [148, 149, 150].map((n) => `web instance 1: GET /healthz 200 (${n})`),
    );
    const noPrevious = await kubectl(['logs', web.metadata.name, '--previous']);
    assert.equal(noPrevious.code, 1);
    assert.match(
      noPrevious.stderr,
      new RegExp(`previous terminated container "web" in pod "${web.metadata.name}" not found`),
    );

    const deleted = await kubectl(['delete', 'pod', web.metadata.name]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, new RegExp(`pod "${web.metadata.name}" deleted`));
    // kubectl returned only once the pod was gone: it waited on a watch for the DELETED event.
    assert.equal(cluster.store.get(TYPES.pod, 'shop', web.metadata.name), undefined);
    assert.ok(
      cluster.requests.entries((e) => e.command === 'kubectl delete' && e.verb === 'watch')
        .length >= 1,
    );

    await waitFor(
      'api restarted twice',
      () => restarts(podsOf(cluster.store.list(TYPES.pod, 'shop'), 'api')[0]) >= 2,
    );
    const api = podsOf(cluster.store.list(TYPES.pod, 'shop'), 'api')[0]!;
    const previous = await kubectl(['logs', api.metadata.name, '--previous']);
    assert.equal(previous.code, 0, previous.stderr);
    assert.deepEqual(previous.stdout.trimEnd().split('\n'), [
      'api starting',
      'api: cannot reach db: connection refused',
      'fatal: api exited with code 1',
    ]);
    // The container cycles (back-off, running, exit): kubectl is asked until its STATUS column
    // shows the back-off, which on a busy machine may take more than one look.
    let apiRow: string[] | undefined;
    let seen = '';
    for (
      const deadline = Date.now() + 30_000;
      apiRow?.[2] !== 'CrashLoopBackOff' && Date.now() < deadline;
    ) {
      const pods = await kubectl(['get', 'pod', api.metadata.name]);
      seen = pods.stdout;
      apiRow = rows(pods.stdout)[1];
    }
    assert.equal(apiRow?.[2], 'CrashLoopBackOff', seen);
    assert.match(apiRow?.[3] ?? '', /^\d+ \(\d+s ago\)$/);

    const events = await kubectl([
      'get',
      'events',
      '--field-selector',
      `involvedObject.name=${api.metadata.name}`,
    ]);
    assert.equal(events.code, 0, events.stderr);
    const [eventHeader, ...eventRows] = rows(events.stdout);
    assert.deepEqual(eventHeader, ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    assert.ok(
      eventRows.some(
        (r) => r[1] === 'Warning' && r[2] === 'BackOff' && r[3] === `pod/${api.metadata.name}`,
      ),
      events.stdout,
    );
    assert.ok(
      eventRows.every((r) => r[3] === `pod/${api.metadata.name}`),
      'the field selector kept only this pod',
    );

    await waitFor('worker OOM-killed', () =>
      field(
        podsOf(cluster.store.list(TYPES.pod, 'shop'), 'worker')[0],
        'status',
        'containerStatuses',
        '0',
        'lastState',
        'terminated',
      ),
    );
    const worker = podsOf(cluster.store.list(TYPES.pod, 'shop'), 'worker')[0]!;
    const oom = await kubectl([
      'get',
      'pod',
      worker.metadata.name,
      '-o',
      'jsonpath={.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode}',
    ]);
    assert.equal(oom.stdout, 'OOMKilled 137');

    await waitFor(
      'cron in ImagePullBackOff',
      () =>
        field(
          podsOf(cluster.store.list(TYPES.pod, 'shop'), 'cron')[0],
          'status',
          'containerStatuses',
          '0',
          'state',
          'waiting',
          'reason',
        ) === 'ImagePullBackOff',
    );
    const cron = await kubectl(['get', 'pods', '-l', 'app=cron']);
    assert.match(rows(cron.stdout)[1]?.[2] ?? '', /^(ImagePullBackOff|ErrImagePull)$/, cron.stdout);
  },
);
