import { parentPort, workerData } from 'node:worker_threads';
import { compactHeap } from '../support/compact-heap.ts';
import type { CheckDefinition } from './check-identity.ts';
import { OutcomeEncoder } from './outcome-codec.ts';
import { prepareCheckOfKind } from './prepare-check-of-kind.ts';
import {
  loadWorkerProbeKinds,
  notAWorkerKind,
  workerProbeOf,
} from './probes/worker-probe-kinds.ts';
import type { ScheduledCheck } from './scheduler.ts';
import { Scheduler } from './scheduler.ts';
import type { FromWorker, ToWorker, WorkerSettings } from './worker-protocol.ts';

// A probe worker: schedules and runs the probes of its shard and posts outcomes in batches.
// It holds no check state: the detector in the main thread judges every outcome.
const port = parentPort;
if (!port) throw new Error('probe-worker.ts must run as a worker thread');
const settings = workerData as WorkerSettings;

const batch = new OutcomeEncoder();
let flushTimer: NodeJS.Timeout | undefined;

function post(message: FromWorker): void {
  port?.postMessage(message);
}

function flush(): void {
  flushTimer = undefined;
  if (batch.size === 0) return;
  const outcomes = batch.take();
  port?.postMessage({ type: 'outcomes', batch: outcomes } satisfies FromWorker, [
    outcomes.rows.buffer,
  ]);
}

const scheduler = new Scheduler({
  maxInFlight: settings.maxInFlight,
  maxOutputBytes: settings.maxOutputBytes,
  onOutcome(outcome) {
    batch.push(outcome);
    // A failure is flushed at once: detection latency matters more than batching there.
    if (!outcome.observation.ok || batch.size >= 512) flush();
    else flushTimer ??= setTimeout(flush, settings.flushMs);
  },
});

// Messages are handled one at a time, in order: a `set` waits for the kinds it loads, and the
// `start` or `stop` behind it must not overtake it.
let handled: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  handled = handled.then(() => handle(message));
});

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'set': {
      const checks = await prepareShard(message.checks);
      // Outcomes batched so far name checks by their index in the previous set.
      clearTimeout(flushTimer);
      flush();
      batch.setChecks(message.checks);
      scheduler.set(checks);
      compactHeap(); // the message and its copies are garbage now
      break;
    }
    case 'start':
      scheduler.start();
      break;
    case 'stats':
      post({ type: 'stats', requestId: message.requestId, stats: scheduler.stats() });
      break;
    case 'stop':
      await scheduler.stop(message.deadlineMs);
      clearTimeout(flushTimer);
      flush();
      post({ type: 'stopped' });
      port?.close();
      break;
  }
}

/** The shard's checks prepared, with only the probe kinds they use loaded (worker-probe-kinds.ts). */
async function prepareShard(definitions: readonly CheckDefinition[]): Promise<ScheduledCheck[]> {
  const kinds = await loadWorkerProbeKinds(definitions.map((d) => d.spec));
  return definitions.map((definition) => {
    const probe = workerProbeOf(definition.spec);
    // A main-thread kind never reaches a worker; if one did, its check fails with the reason.
    if (probe === undefined)
      return prepareCheckOfKind(definition, 'main-thread', undefined, notAWorkerKind);
    return prepareCheckOfKind(definition, probe.kind, probe.spec, kinds.get(probe.kind));
  });
}
