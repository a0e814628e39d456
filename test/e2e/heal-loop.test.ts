import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startControlApi } from '../../src/demo/control-api.ts';
import { startPager } from '../../src/demo/pager.ts';
import { Supervisor } from '../../src/demo/supervisor.ts';
import { closedPort } from '../helpers/flaky-server.ts';
import { MendProcess } from '../helpers/mend-process.ts';

// The whole loop on real processes: the demo's services under its supervisor, the demo's
// policies, the restart runbook and a webhook pager, and a real `mend run`. Faults are injected
// one after the other, each checked the way a person would watch the feed.

let dir: string;
let supervisor: Supervisor;
const servers: Server[] = [];
const pages: string[] = [];
let mend: MendProcess;
let ports: Record<'api' | 'worker' | 'db' | 'control' | 'pager', number>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-e2e-'));
  ports = {
    api: await closedPort(),
    worker: await closedPort(),
    db: await closedPort(),
    control: await closedPort(),
    pager: await closedPort(),
  };
  const ready = (port: number) => `http://127.0.0.1:${port}/readyz`;
  supervisor = new Supervisor(
    [
      { name: 'db', port: ports.db, deps: [] },
      { name: 'api', port: ports.api, deps: [`db=${ready(ports.db)}`] },
      { name: 'worker', port: ports.worker, deps: [`db=${ready(ports.db)}`] },
    ],
    () => {},
  );
  servers.push(await startControlApi(supervisor, ports.control));
  servers.push(await startPager((line) => pages.push(line), ports.pager));
  await supervisor.startAll();

  // The demo's own config, on this test's ports.
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
  mend = new MendProcess(
    ['run', '-c', dir, '--db', join(dir, 'mend.db'), '--listen', '127.0.0.1:0'],
    { MEND_DEMO_CONTROL: `http://127.0.0.1:${ports.control}` },
  );
  await mend.waitForLog(/^mend running: 3 services/);
});

after(async () => {
  mend?.kill('SIGTERM');
  await mend?.exited;
  await supervisor?.stopAll();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(dir, { recursive: true, force: true });
});

const healed = (service: string) =>
  new RegExp(
    `^runbook restart on ${service} \\(inc-\\d+:heal:\\d+\\): succeeded: verified healthy`,
  );

test('a crashed process is restarted and verified healthy by the check that fired', async () => {
  const crashedAt = Date.now();
  supervisor.crash('api');
  await mend.waitForLog(/^api\/live firing/, 15_000);
  await mend.waitForLog(healed('api'), 15_000);
  const recoveredIn = Date.now() - crashedAt;
  // failureThreshold (3) x periodSeconds (1) + a restart + one verify, with room for a busy CI.
  assert.ok(recoveredIn < 10_000, `recovered in ${recoveredIn} ms`);
  await mend.waitForLog(/^api\/live resolved/, 10_000);
});

test('a hung process (accepts, never answers) is restarted and verified', async () => {
  await fetch(`http://127.0.0.1:${ports.worker}/control/hang`, { method: 'POST' });
  await mend.waitForLog(
    /^worker\/live firing: 3 consecutive failures: .*timed out after 1000 ms/,
    15_000,
  );
  await mend.waitForLog(healed('worker'), 15_000);
  await mend.waitForLog(/^worker\/live resolved/, 10_000);
});

test('a dependency outage heals the root only; the dependents are recorded, not restarted', async () => {
  const before = mend.logs().length;
  await fetch(`http://127.0.0.1:${ports.db}/control/fail`, { method: 'POST' });
  await mend.waitForLog(healed('db'), 20_000);
  await mend.waitForLog(/^db\/ready resolved/, 10_000);
  const during = mend
    .logs()
    .slice(before)
    .map((line) => line.msg);
  assert.ok(
    during.some((msg) => /^api\/ready firing: .*failing dependencies: db/.test(msg)),
    'api said db is why it is not ready',
  );
  assert.equal(
    during.filter((msg) => /^inc-\d+ (api|worker): heal:/.test(msg)).length,
    0,
    `no dependent was healed:\n${during.join('\n')}`,
  );
});

test('a flapping service opens the breaker and pages exactly once', async () => {
  supervisor.setFlapping('worker', 2);
  supervisor.crash('worker');
  // The worker was healed once already (the hang): two more heals, then the breaker opens.
  await mend.waitForLog(/breaker worker\/restart open until .*; paging demo-pager/, 40_000);
  await mend.waitForLog(/page sent to demo-pager/, 10_000);
  // It keeps dying: no more heals, no second page.
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const received = pages.filter((line) => /PAGE received: page: worker/.test(line));
  assert.equal(received.length, 1, pages.join('\n'));
  assert.equal(mend.countLogs(/^inc-\d+ worker: heal:/), 3, 'the hang heal and two flapping heals');
  supervisor.setFlapping('worker', undefined);
});

test('a runbook that fails runs onFailure, and the failure escalates to a person', async () => {
  // The supervisor's control API goes away: the restart step cannot work.
  const control = servers.shift()!;
  await new Promise((resolve) => control.close(resolve));
  supervisor.crash('api');
  await mend.waitForLog(/^runbook restart on api \(inc-\d+:heal:\d+\): failed/, 30_000);
  // onFailure told the pager what was tried ...
  await waitFor(() => pages.some((line) => /restart of api did not bring it back/.test(line)));
  // ... and the engine, out of attempts (the crash heal and two failed ones), paged.
  await mend.waitForLog(/breaker api\/restart open until .*; paging demo-pager/, 40_000);
  await waitFor(() => pages.some((line) => /PAGE received: page: api:/.test(line)));
  await supervisor.start('api');
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; pages so far:\n${pages.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
