import { parentPort, workerData } from 'node:worker_threads';
import { compactHeap } from '../support/compact-heap.ts';
import { OutcomeEncoder } from './outcome-codec.ts';
import { prepareCheck } from './prepare-check.ts';
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

port.on('message', async (message: ToWorker) => {
  switch (message.type) {
    case 'set':
      // Outcomes batched so far name checks by their index in the previous set.
      clearTimeout(flushTimer);
      flush();
      batch.setChecks(message.checks);
      scheduler.set(message.checks.map((check) => prepareCheck(check)));
      compactHeap(); // the message and its copies are garbage now
      break;
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
      port.close();
      break;
  }
});
