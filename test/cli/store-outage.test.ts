import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/store/open.ts';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.ts';
import { MendProcess } from '../helpers/mend-process.ts';
import { type Receiver, startReceiver } from '../notify/http-receiver.ts';
import { holdWriteLock } from '../store/sqlite-conditions.ts';

/**
 * A real `mend run` whose store stops taking writes, the two ways it happens: the file deleted
 * under it, and SQLite's own SQLITE_FULL (the store capped with --db-max-size, SQLite's
 * max_page_count, as a full volume). What it must do: act on nothing unrecorded, fail /readyz,
 * say mend_store_up 0, page once without the store, exit non-zero after the bound (or at
 * SIGTERM, within the shutdown timeout), and say how much it could not record.
 */

let dir: string;
let target: FlakyServer;
let pager: Receiver;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mend-outage-cli-'));
  target = await startFlakyServer(200);
  pager = await startReceiver(() => ({ status: 200 }));
});
after(async () => {
  await target.close();
  await pager.close();
  await rm(dir, { recursive: true, force: true });
});

const notifier = () => `apiVersion: mend/v1
kind: Notifier
metadata: { name: oncall }
spec:
  webhook: { url: "${pager.url}/hook" }
`;

const settings = (exitAfter: string) => `apiVersion: mend/v1
kind: Settings
metadata: { name: settings }
spec:
  storeOutage: { exitAfter: ${exitAfter} }
`;

interface Page {
  event: string;
  key: string;
  summary: string;
  reason: { code: string; message: string; numbers: Record<string, number> };
}
const pagesOf = (code: string) =>
  pager.requests.map((r) => r.body as Page).filter((page) => page.reason?.code === code);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The exit code, or null when it had not exited after `timeoutMs` (then it is killed). */
async function exitCode(mend: MendProcess, timeoutMs = 30_000): Promise<number | null> {
  const timer = setTimeout(() => mend.kill('SIGKILL'), timeoutMs);
  const code = await mend.exited;
  clearTimeout(timer);
  return code;
}

async function readyz(listen: string) {
  const response = await fetch(`http://${listen}/readyz`);
  const body = (await response.json()) as { checks: { store: { output?: string } } };
  return { status: response.status, store: body.checks.store.output ?? '' };
}

async function started(mend: MendProcess): Promise<string> {
  const summary = await mend.waitForLog(/^mend running/);
  const listen = /listen:\s+http:\/\/([\d.]+:\d+)/.exec(summary)?.[1];
  assert.ok(listen, summary);
  return listen;
}

/**
 * api healed by a runbook of two steps, each leaving a file: `one` (which takes 1.5 s, and may
 * run again) and `two`; then verify.
 */
function healConfig(begun: string, ran: string, exitAfter: string): string {
  const node = JSON.stringify(process.execPath);
  const touch = (file: string) =>
    `require('fs').writeFileSync(${JSON.stringify(file).replaceAll('"', '\\"')}, '')`;
  return `apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec:
  checks:
    - name: live
      periodSeconds: 0.1
      failureThreshold: 1
      http: { url: "${target.url}" }
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart }
spec:
  for: 0s
  heal: { runbook: restart, params: { unit: "{{service.name}}" } }
  maxAttempts: 3
  window: 1h
---
apiVersion: mend/v1
kind: Runbook
metadata: { name: restart }
spec:
  params:
    unit: { type: string }
  steps:
    - name: one
      exec: { command: [${node}, "-e", "${touch(begun)}; setTimeout(() => {}, 1500)"] }
      timeout: 10s
      idempotent: true
    - name: two
      exec: { command: [${node}, "-e", "${touch(ran)}"] }
    - name: verify
      verify: {}
---
${notifier()}---
${settings(exitAfter)}`;
}

test('the store file deleted during a heal: no further step runs, /readyz fails, one page, exit 1 after the bound', async () => {
  const folder = await mkdtemp(join(dir, 'deleted-'));
  const db = join(folder, 'mend.db');
  const begun = join(folder, 'step-one-began');
  const ran = join(folder, 'step-two-ran');
  await writeFile(join(folder, 'mend.yaml'), healConfig(begun, ran, '3s'));
  target.setStatus(200);
  const mend = new MendProcess([
    'run',
    '-c',
    join(folder, 'mend.yaml'),
    '--db',
    db,
    '--listen',
    '127.0.0.1:0',
  ]);
  try {
    const listen = await started(mend);
    target.setStatus(503);
    await waitFor('step one to begin', async () => (existsSync(begun) ? true : undefined));
    await rm(db);
    const down = await waitFor('/readyz to fail', async () => {
      const ready = await readyz(listen);
      return ready.status === 503 ? ready : undefined;
    });
    assert.match(down.store, /^store \S+mend\.db was deleted while mend ran/);
    assert.match(down.store, /mend exits at \S+ unless the store recovers/);
    const metrics = await (await fetch(`http://${listen}/metrics`)).text();
    assert.match(metrics, /^mend_store_up 0$/m);
    assert.equal(await exitCode(mend), 1, mend.stderr);
  } finally {
    mend.kill('SIGKILL');
    target.setStatus(200);
  }
  // Step one's result could not be journaled, so step two never began.
  assert.ok(!existsSync(ran), 'no step after the store was gone');
  assert.equal(
    mend.countLogs(/^runbook run inc-1:heal:1 stopped: the journal could not be written/),
    1,
  );
  assert.equal(mend.countLogs(/^the store cannot record: /), 1);
  assert.equal(mend.countLogs(/could not record for 3s \(Settings storeOutage\.exitAfter\)/), 1);
  const line = await mend.waitForLog(
    /^stopped: not recorded at exit: \d+ signal\(s\), 0 heal outcome\(s\)/,
  );
  assert.match(line, /the store could not record since .*was deleted while mend ran/);
  assert.equal(pagesOf('store-outage').length, 1, 'paged once');
  const [exit] = pagesOf('store-outage-exit');
  assert.match(exit?.summary ?? '', /^mend exited: its store \S+ could not record for /);
  assert.equal(exit?.reason.numbers.unrecordedOutcomes, 0);
  assert.doesNotMatch(mend.stdout, /a call came after close\(\)/);
});

test('a store that recovers within the bound: the page is resolved, the stopped heal resumes, the outage is noted', async () => {
  const folder = await mkdtemp(join(dir, 'recovers-'));
  const db = join(folder, 'mend.db');
  const begun = join(folder, 'step-one-began');
  const ran = join(folder, 'step-two-ran');
  await writeFile(join(folder, 'mend.yaml'), healConfig(begun, ran, '1m'));
  const before = pager.requests.length;
  target.setStatus(200);
  const mend = new MendProcess([
    'run',
    '-c',
    join(folder, 'mend.yaml'),
    '--db',
    db,
    '--listen',
    '127.0.0.1:0',
  ]);
  try {
    await started(mend);
    target.setStatus(503);
    await waitFor('step one to begin', async () => (existsSync(begun) ? true : undefined));
    // Another process holds the write lock past the busy timeout (5 s): step one's result
    // cannot be journaled, so step two does not begin.
    const lock = await holdWriteLock(db);
    try {
      await mend.waitForLog(
        /^the store cannot record: store .* is locked by another process/,
        15_000,
      );
      await waitFor('the page', async () =>
        pagesOf('store-outage').length > 0 ? true : undefined,
      );
      assert.ok(!existsSync(ran));
    } finally {
      await lock.release();
    }
    await mend.waitForLog(/^store .* records again after /);
    await mend.waitForLog(/^resuming inc-1:heal:1: the store could not record while it was due/);
    await waitFor('step two', async () => (existsSync(ran) ? true : undefined));
    target.setStatus(200);
    await mend.waitForLog(/^runbook restart on api \(inc-1:heal:1\): succeeded/);
  } finally {
    mend.kill('SIGTERM');
    target.setStatus(200);
  }
  assert.equal(await exitCode(mend), 0, mend.stderr);
  const pages = pager.requests.slice(before).map((r) => r.body as Page);
  assert.deepEqual(
    pages.map((p) => [p.event, p.reason?.code]),
    [
      ['page', 'store-outage'],
      ['resolve', 'store-outage-over'],
    ],
  );
  const store = await openStore({ path: db });
  try {
    const [note] = await store.listAudit({ action: 'store.outage' });
    assert.match(
      String((note?.params as { reason?: string } | undefined)?.reason),
      /is locked by another process/,
    );
    const incident = await store.getIncident('inc-1');
    assert.ok(incident?.timeline.some((e) => e.type === 'store.outage'));
  } finally {
    await store.close();
  }
});

/** 20 checks that all flip with the target: 200 signals a second, each with its evidence. */
async function flappingConfig(folder: string, exitAfter: string): Promise<string> {
  const checks = Array.from(
    { length: 20 },
    (_, n) => `    - name: c${n}
      periodSeconds: 0.05
      failureThreshold: 1
      http: { url: "${target.url}c${n}" }`,
  ).join('\n');
  const config = join(folder, 'mend.yaml');
  await writeFile(
    config,
    `apiVersion: mend/v1
kind: Service
metadata: { name: api }
spec:
  checks:
${checks}
---
${notifier()}---
${settings(exitAfter)}`,
  );
  return config;
}

function flap(): () => void {
  let failing = false;
  const timer = setInterval(() => {
    failing = !failing;
    target.setStatus(failing ? 503 : 200);
  }, 100);
  return () => {
    clearInterval(timer);
    target.setStatus(200);
  };
}

const fullMend = (config: string, db: string, ...more: string[]) =>
  new MendProcess([
    'run',
    '-c',
    config,
    '--db',
    db,
    '--db-max-size',
    // A migrated empty store is about 204 KiB (51 pages since 0008's replica tables): room for
    // a few signals, then full.
    '240KiB',
    '--listen',
    '127.0.0.1:0',
    ...more,
  ]);

test('a full store (SQLITE_FULL): /readyz says so with what is held, one page, exit 1 after the bound with the count', async () => {
  const folder = await mkdtemp(join(dir, 'full-'));
  const config = await flappingConfig(folder, '2s');
  const before = pager.requests.length;
  const mend = fullMend(config, join(folder, 'mend.db'));
  const stop = flap();
  try {
    const listen = await started(mend);
    const down = await waitFor('/readyz to fail', async () => {
      const ready = await readyz(listen);
      return ready.status === 503 && /SQLITE_FULL/.test(ready.store) ? ready : undefined;
    });
    assert.match(down.store, /is full \(SQLITE_FULL: database or disk is full\)/);
    assert.match(down.store, /\d+ signal\(s\) held/);
    assert.match(await (await fetch(`http://${listen}/metrics`)).text(), /^mend_store_up 0$/m);
    assert.equal(await exitCode(mend), 1, mend.stderr);
  } finally {
    stop();
    mend.kill('SIGKILL');
  }
  assert.equal(mend.countLogs(/^the store cannot record: /), 1, 'one error line, not a flood');
  const line = await mend.waitForLog(/^stopped: not recorded at exit: /);
  const unrecorded = Number(/not recorded at exit: (\d+) signal\(s\)/.exec(line)?.[1]);
  assert.ok(unrecorded > 0, line);
  const pages = pager.requests.slice(before).map((r) => r.body as Page);
  assert.deepEqual(
    pages.map((p) => p.reason.code),
    ['store-outage', 'store-outage-exit'],
  );
  assert.equal(
    pages[1]?.reason.numbers.unrecordedSignals,
    unrecorded,
    'the page says the same count',
  );
  assert.equal(pages[0]?.reason.numbers.since, pages[1]?.reason.numbers.since);
  assert.doesNotMatch(mend.stdout, /a call came after close\(\)/);
});

test('SIGTERM during an outage: every part stops, exit 1 with the count, no call after close', async () => {
  const folder = await mkdtemp(join(dir, 'sigterm-'));
  const config = await flappingConfig(folder, '10m');
  const mend = fullMend(config, join(folder, 'mend.db'), '--shutdown-timeout', '2');
  const stop = flap();
  try {
    await started(mend);
    await mend.waitForLog(/^the store cannot record: /);
    // The operator-request poll and the engine clock keep running while mend waits.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    mend.kill('SIGTERM');
    assert.equal(await exitCode(mend), 1, mend.stderr);
  } finally {
    stop();
    mend.kill('SIGKILL');
  }
  await mend.waitForLog(/^stopped: not recorded at exit: \d+ signal\(s\)/);
  assert.equal(mend.countLogs(/^still stopping/), 0, 'stopped by itself, not by the watchdog');
  assert.doesNotMatch(mend.stdout, /a call came after close\(\)/);
  assert.ok(mend.countLogs(/cannot take operator requests/) <= 1);
});
