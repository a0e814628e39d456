import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlApi } from '../../src/demo/control-api.ts';
import { startPager } from '../../src/demo/pager.ts';
import { Supervisor } from '../../src/demo/supervisor.ts';
import { closedPort } from '../helpers/flaky-server.ts';
import { MendProcess } from '../helpers/mend-process.ts';

/**
 * The whole loop on real processes, one per test file so the files run side by side: the demo's
 * services under its supervisor, its control API and pager, the demo's policies, the restart
 * runbook and the webhook pager, on ports of this test's own, and a real `mend run`.
 */
export interface DemoLoop {
  supervisor: Supervisor;
  ports: Record<'api' | 'worker' | 'db' | 'control' | 'pager', number>;
  /** Lines the pager printed. */
  pages: string[];
  mend: MendProcess;
  /** The supervisor's control API, which the restart runbook drives. */
  control: Server;
  stop(): Promise<void>;
}

export async function startDemoLoop(): Promise<DemoLoop> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-e2e-'));
  const ports = {
    api: await closedPort(),
    worker: await closedPort(),
    db: await closedPort(),
    control: await closedPort(),
    pager: await closedPort(),
  };
  const ready = (port: number) => `http://127.0.0.1:${port}/readyz`;
  const supervisor = new Supervisor(
    [
      { name: 'db', port: ports.db, deps: [] },
      { name: 'api', port: ports.api, deps: [`db=${ready(ports.db)}`] },
      { name: 'worker', port: ports.worker, deps: [`db=${ready(ports.db)}`] },
    ],
    () => {},
  );
  const pages: string[] = [];
  const control = await startControlApi(supervisor, ports.control);
  const pager = await startPager((line) => pages.push(line), ports.pager);
  const close = (server: Server) => new Promise((resolve) => server.close(resolve));
  let mend: MendProcess | undefined;
  const stop = async () => {
    mend?.kill('SIGTERM');
    await mend?.exited;
    await supervisor.stopAll();
    await Promise.all([close(control), close(pager)]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await supervisor.startAll();
    mend = await startMend(dir, ports);
  } catch (err) {
    // Whatever did start is stopped, or its processes would keep this test file alive.
    await stop();
    throw err;
  }
  return { supervisor, ports, pages, mend, control, stop };
}

/** `mend run` on the demo's config, rewritten to this test's ports. */
async function startMend(dir: string, ports: DemoLoop['ports']): Promise<MendProcess> {
  const services = (await readFile('examples/demo/services.yaml', 'utf8'))
    .replaceAll('17801', String(ports.api))
    .replaceAll('17802', String(ports.worker))
    .replaceAll('17803', String(ports.db));
  await writeFile(join(dir, 'services.yaml'), services);
  await copyFile('examples/demo/policies.yaml', join(dir, 'policies.yaml'));
  await copyFile('examples/runbooks/restart.yaml', join(dir, 'runbooks.yaml'));
  const notifiers = (await readFile('examples/notifiers/notifiers.yaml', 'utf8')).replaceAll(
    '17809',
    String(ports.pager),
  );
  await writeFile(join(dir, 'notifiers.yaml'), notifiers);
  const mend = new MendProcess(
    ['run', '-c', dir, '--db', join(dir, 'mend.db'), '--listen', '127.0.0.1:0'],
    { MEND_DEMO_CONTROL: `http://127.0.0.1:${ports.control}` },
  );
  try {
    // Generous: on a busy 2-core machine a cold start takes several seconds.
    await mend.waitForLog(/^mend running: 3 services/, 30_000);
  } catch (err) {
    mend.kill('SIGKILL');
    await mend.exited;
    throw err;
  }
  return mend;
}

/** The log line of a verified heal of `service` by the restart runbook. */
export const healed = (service: string) =>
  new RegExp(
    `^runbook restart on ${service} \\(inc-\\d+:heal:\\d+\\): succeeded: verified healthy`,
  );

/** Wait until `condition` holds, or fail with the pages seen so far. */
export async function waitFor(
  condition: () => boolean,
  pages: readonly string[],
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; pages so far:\n${pages.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
