import type { Server } from 'node:http';
import { startControlApi } from './control-api.ts';
import { startPager } from './pager.ts';
import { type DemoServiceSpec, Supervisor } from './supervisor.ts';

export const PORTS = { api: 17801, worker: 17802, db: 17803 };

const SERVICES: DemoServiceSpec[] = [
  { name: 'db', port: PORTS.db, deps: [] },
  { name: 'api', port: PORTS.api, deps: [`db=http://127.0.0.1:${PORTS.db}/readyz`] },
  { name: 'worker', port: PORTS.worker, deps: [`db=http://127.0.0.1:${PORTS.db}/readyz`] },
];

export interface DemoSystem {
  supervisor: Supervisor;
  stop(): Promise<void>;
}

/**
 * The small realistic system the demo runs on loopback: three services as child processes under a
 * supervisor with a control API (what runbooks drive), and a pager that prints what mend sends.
 */
export async function startDemoSystem(say: (line: string) => void): Promise<DemoSystem> {
  const supervisor = new Supervisor(SERVICES, say);
  const servers: Server[] = [];
  const stop = async () => {
    await supervisor.stopAll();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  };
  try {
    servers.push(await startControlApi(supervisor));
    servers.push(await startPager(say));
    await supervisor.startAll();
  } catch (err) {
    await stop();
    throw new Error(
      `cannot start the demo system: ${(err as Error).message} (it uses 127.0.0.1 ports 17800-17803 and 17809)`,
    );
  }
  say(`services up: ${SERVICES.map((s) => `${s.name} on 127.0.0.1:${s.port}`).join(', ')}`);
  return { supervisor, stop };
}
