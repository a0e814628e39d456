import { Worker } from 'node:worker_threads';
import { hash32 } from '../support/stable-hash.ts';
import type { CheckDefinition } from './check-identity.ts';
import { OutcomeDecoder } from './outcome-codec.ts';
import type { ProbeRunner, ProbeRunnerOptions } from './probe-runner.ts';
import { sumStats } from './probe-runner.ts';
import type { SchedulerStats } from './scheduler.ts';
import type { FromWorker, ToWorker, WorkerSettings } from './worker-protocol.ts';

const FLUSH_MS = 20;
const WORKER_YOUNG_GENERATION_MB = 16;

/**
 * Shards checks over worker threads by a stable hash of the check's identity, so a check stays on
 * the same worker across reloads and keeps its beat. The main thread keeps all check state.
 */
export class WorkerPoolRunner implements ProbeRunner {
  readonly #workers: Worker[];
  readonly #decoders: OutcomeDecoder[];
  readonly #pendingStats = new Map<number, (stats: SchedulerStats) => void>();
  #nextRequestId = 0;

  constructor(options: ProbeRunnerOptions & { workers: number }) {
    const settings: WorkerSettings = {
      maxInFlight: Math.max(1, Math.ceil(options.maxInFlight / options.workers)),
      maxOutputBytes: options.maxOutputBytes,
      flushMs: FLUSH_MS,
    };
    this.#decoders = Array.from({ length: options.workers }, () => new OutcomeDecoder());
    this.#workers = Array.from({ length: options.workers }, (_, i) => {
      const decoder = this.#decoders[i]!;
      const worker = new Worker(new URL('./probe-worker.ts', import.meta.url), {
        workerData: settings,
        // V8 sizes the young generation from the machine's memory (up to ~100 MiB on a big
        // host). A probe's garbage lives for milliseconds, so a small one costs nothing in
        // lateness and saves that much RSS per worker (measured: bench/README.md).
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      });
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'outcomes') options.onOutcomes(decoder.decode(message.batch));
        else if (message.type === 'stats') {
          this.#pendingStats.get(message.requestId)?.(message.stats);
          this.#pendingStats.delete(message.requestId);
        }
      });
      worker.on('error', (err) => {
        // A worker that dies takes its shard's probes with it: that must be loud, not silent.
        options.onFatal(new Error(`probe worker failed: ${err.message}`, { cause: err }));
      });
      return worker;
    });
  }

  set(checks: readonly CheckDefinition[]): void {
    const shards: CheckDefinition[][] = this.#workers.map(() => []);
    for (const check of checks) shards[hash32(check.key) % shards.length]!.push(check);
    this.#workers.forEach((worker, i) => {
      this.#decoders[i]!.sent(shards[i]!);
      this.#send(worker, { type: 'set', checks: shards[i]! });
    });
  }

  start(): void {
    for (const worker of this.#workers) this.#send(worker, { type: 'start' });
  }

  async stop(deadlineMs: number): Promise<void> {
    await Promise.all(
      this.#workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.on('message', (message: FromWorker) => {
              if (message.type === 'stopped') void worker.terminate();
            });
            this.#send(worker, { type: 'stop', deadlineMs });
          }),
      ),
    );
  }

  async stats(): Promise<SchedulerStats> {
    const all = await Promise.all(
      this.#workers.map(
        (worker) =>
          new Promise<SchedulerStats>((resolve) => {
            const requestId = this.#nextRequestId++;
            this.#pendingStats.set(requestId, resolve);
            this.#send(worker, { type: 'stats', requestId });
          }),
      ),
    );
    return sumStats(all);
  }

  #send(worker: Worker, message: ToWorker): void {
    worker.postMessage(message);
  }
}
