import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Store } from '../../src/store/store.ts';

/**
 * A SqliteStore on a thread of its own: another connection that can wait for a lock while this
 * thread goes on, as another mend process would. (node:sqlite is synchronous: a second
 * connection on the same thread would block the thread that holds the lock, and both would wait
 * out the busy timeout.) Every Store method is forwarded; values and errors are structured clones.
 */
export async function storeInWorker(path: string): Promise<Store> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { path } });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let next = 0;
  worker.on('message', (message: { id: number; value?: unknown; error?: unknown }) => {
    const call = pending.get(message.id);
    pending.delete(message.id);
    if ('error' in message) call?.reject(message.error);
    else call?.resolve(message.value);
  });
  const call = (method: string, args: unknown[]) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, method, args });
    });
  await call('ping', []);
  return new Proxy({} as Store, {
    get(_, method: string) {
      if (method === 'then') return undefined;
      if (method === 'close') {
        return async () => {
          await call('close', []);
          await worker.terminate();
        };
      }
      return (...args: unknown[]) => call(method, args);
    },
  });
}

if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  const { openStore } = await import('../../src/store/open.ts');
  const store = await openStore({ path: (workerData as { path: string }).path });
  port.on(
    'message',
    async ({ id, method, args }: { id: number; method: string; args: unknown[] }) => {
      try {
        const value = await (store as unknown as Record<string, (...a: unknown[]) => unknown>)[
          method
        ]!(...args);
        port.postMessage({ id, value });
      } catch (error) {
        port.postMessage({ id, error });
      }
    },
  );
}
