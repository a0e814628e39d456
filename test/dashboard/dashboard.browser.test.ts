import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { call } from '../helpers/running-mend.ts';
import { launchChromium, SCREENSHOTS, seriousViolations, signIn, WAIT_MS } from './browser.ts';
import { type DashboardMend, HOSTILE_LINE, startDashboardMend } from './dashboard-mend.ts';

/**
 * The dashboard in a real browser (Debian's chromium) against a real `mend run`: what an on-call
 * person sees and does, live, without reloading. One mend and one browser for the file; the
 * tests run in order and each leaves the services healthy.
 */

let mend: DashboardMend;
let browser: Browser;
let operator: BrowserContext;
let page: Page;

before(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  mend = await startDashboardMend();
  browser = await launchChromium();
  // bypassCSP only so axe-core can be injected; the page's own scripts are mend's files.
  operator = await browser.newContext({ bypassCSP: true, viewport: { width: 1400, height: 1000 } });
  page = await operator.newPage();
  if (process.env.DEBUG_DASHBOARD) {
    page.on('console', (msg) => console.log('console:', msg.type(), msg.text()));
    page.on('pageerror', (e) => console.log('pageerror:', e.message));
    page.on('response', (r) => console.log('resp:', r.status(), r.url()));
  }
  await signIn(page, mend.base, mend.tokens.operator);
});

after(async () => {
  await browser?.close();
  await mend?.stop();
});

/** A mark on the window: still there later means the page was never reloaded. */
async function markWindow(): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as { __mark: number }).__mark = 42;
  });
}
async function assertNotReloaded(): Promise<void> {
  const mark = await page.evaluate(() => (globalThis as unknown as { __mark?: number }).__mark);
  assert.equal(mark, 42, 'the page was reloaded');
}

/** Until the grid shows this many services (the tsconfig has no DOM types: page code as text). */
const waitForRows = (count: number) =>
  page.waitForFunction(
    `document.querySelectorAll('tr[data-service]').length === ${count}`,
    undefined,
    {
      timeout: WAIT_MS,
    },
  );

/** Each test that acts from the overview starts there, whatever the one before left. */
async function openOverview(): Promise<void> {
  await page.goto(`${mend.base}/`);
  await page.waitForSelector('#services-h', { timeout: WAIT_MS });
}

const row = (attribute: string, value: string) => `tr[${attribute}="${value}"]`;

/**
 * A deadline counts down in the page, between refreshes: its text comes to show less time than
 * the server gave it (`data-remaining-ms`), which only the page's script can make it say. A
 * refresh brings a new element with a new value; the condition holds for it too a second later.
 */
async function assertCountsDown(selector: string): Promise<void> {
  await page.waitForFunction(
    `(() => {
      const seconds = (text) => {
        const m = /in (?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+(?:\\.\\d+)?)s)?/.exec(text ?? '');
        return m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : NaN;
      };
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return false;
      const given = Number(el.getAttribute('data-remaining-ms')) / 1000;
      return seconds(el.textContent) <= Math.floor(given) - 1;
    })()`,
    undefined,
    { timeout: WAIT_MS },
  );
  const text = (await page.textContent(selector)) ?? '';
  assert.match(text, /^in \d+m(\d+s)?$/, `an approval of 10m shows minutes and seconds: ${text}`);
}

test('signed in, the overview shows every service with its checks and who is signed in', async () => {
  assert.match((await page.textContent('.who')) ?? '', /operator-1 \(operator\)/);
  for (const name of ['api', 'gate', 'db', 'cache', 'web', 'spare']) {
    await page.waitForSelector(`${row('data-service', name)} .check.healthy`, { timeout: WAIT_MS });
  }
  // Grouping by a label and searching narrow the grid.
  await page.selectOption('#group', 'env');
  await page.waitForSelector('h3:has-text("env=stage")', { timeout: WAIT_MS });
  await page.fill('#q', 'gate');
  await waitForRows(1);
  await page.fill('#q', '');
  await page.selectOption('#group', '');
  await waitForRows(6);
});

test('a failure appears, heals and verifies live, without a reload', async () => {
  await markWindow();
  mend.targets.api.setStatus(503);
  await page.waitForSelector(`${row('data-service', 'api')} .check.failing`, { timeout: WAIT_MS });
  await page.waitForSelector('tr[data-incident] >> text=api', { timeout: WAIT_MS });
  mend.targets.api.setStatus(200);
  await page.waitForSelector(`${row('data-service', 'api')} .check.healthy`, { timeout: WAIT_MS });
  await page.waitForSelector('#incidents-h + p.none', { timeout: WAIT_MS });
  await assertNotReloaded();
});

test('the incident page shows the steps, and a <script> in command output is text', async () => {
  await page.goto(`${mend.base}/incidents/inc-1`);
  await page.waitForSelector('[data-heal] .badge.good', { timeout: WAIT_MS });
  const output = await page.locator('[data-heal] pre').first().textContent();
  assert.ok(output?.includes(HOSTILE_LINE), `the output as text: ${output}`);
  const injected = await page.evaluate(
    () => (globalThis as { __mendInjected?: boolean }).__mendInjected,
  );
  assert.equal(injected, undefined, 'the <script> in the output ran');
  assert.equal(await page.locator('[data-heal] pre script').count(), 0);
  const link = (await page.getAttribute('a[download]', 'href')) ?? '';
  const report = await page.evaluate(async (href) => (await fetch(href)).text(), link);
  assert.match(report, /^# Incident inc-1: api/m);
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${SCREENSHOTS}/incident-${scheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(await seriousViolations(page), []);
});

test('a heal that waits for approval is approved from the overview and runs', async () => {
  await openOverview();
  mend.targets.gate.setStatus(503);
  const approve = page.locator('tr[data-approval] button:has-text("Approve")');
  await approve.waitFor({ timeout: WAIT_MS });
  await assertCountsDown('tr[data-approval] time[data-remaining-ms]');
  await approve.click();
  await page.waitForSelector('#answer .answer.ok:has-text("approved")', { timeout: WAIT_MS });
  await page.waitForSelector(`${row('data-service', 'gate')} .badge:has-text("healing")`, {
    timeout: WAIT_MS,
  });
  mend.targets.gate.setStatus(200);
  await page.waitForSelector('#approvals-h + p.none', { timeout: WAIT_MS });
  await page.waitForSelector('#incidents-h + p.none', { timeout: WAIT_MS });
});

test('an open breaker is reset after a confirmation that says what it resets', async () => {
  await openOverview();
  mend.targets.db.setStatus(503);
  const reset = page.locator(`${row('data-breaker', 'db/broken')} button:has-text("Reset")`);
  await reset.waitFor({ timeout: WAIT_MS });
  mend.targets.db.setStatus(200);
  await page.waitForSelector('#incidents-h + p.none', { timeout: WAIT_MS });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${SCREENSHOTS}/overview-${scheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(await seriousViolations(page), []);
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.accept();
  });
  await reset.click();
  await page.waitForSelector('#answer .answer.ok:has-text("breaker of db/broken reset")', {
    timeout: WAIT_MS,
  });
  assert.match(asked, /Reset the breaker of db\/broken\?/);
  await page.waitForSelector(row('data-breaker', 'db/broken'), {
    state: 'detached',
    timeout: WAIT_MS,
  });
});

test('a silence added from the form: the next failure is recorded, not healed', async () => {
  await openOverview();
  await page.click('summary:has-text("Add a silence")');
  await page.fill('#matchers', 'service="api"');
  await page.fill('#duration', '10m');
  await page.fill('#comment', 'failover drill');
  await page.click('button:has-text("Add silence")');
  await page.waitForSelector('#answer .answer.ok:has-text("silence sil-")', { timeout: WAIT_MS });
  const silence = page.locator('tr[data-silence]:has-text("failover drill")');
  await silence.waitFor({ timeout: WAIT_MS });
  mend.targets.api.setStatus(503);
  const incident = page.locator('tr[data-incident]:has-text("api") a');
  await incident.waitFor({ timeout: WAIT_MS });
  const id = (await incident.textContent()) ?? '';
  await page.goto(`${mend.base}/incidents/${id}`);
  await page.waitForSelector('#decisions-h ~ table :text("silenced")', { timeout: WAIT_MS });
  await page.waitForSelector('#heals-h + p.none:has-text("No heal was run")', { timeout: WAIT_MS });
  await openOverview();
  page.once('dialog', (dialog) => void dialog.accept());
  await page.click('tr[data-silence]:has-text("failover drill") button:has-text("Expire")');
  await page.waitForSelector('#answer .answer.ok:has-text("expired")', { timeout: WAIT_MS });
  mend.targets.api.setStatus(200);
  await page.waitForSelector('#incidents-h + p.none', { timeout: WAIT_MS });
  await page.waitForSelector('#silences-h + p.none', { timeout: WAIT_MS });
});

test('a viewer sees no action, and its forged POSTs are 403', async () => {
  const viewer = await browser.newContext({ bypassCSP: true });
  try {
    const seen = await viewer.newPage();
    await signIn(seen, mend.base, mend.tokens.viewer);
    await seen.waitForSelector('tr[data-service]', { timeout: WAIT_MS });
    assert.equal(await seen.locator('main button').count(), 0, 'a viewer sees no button');
    assert.equal(await seen.locator('details.action').count(), 0, 'nor an action form');
    // The viewer's own session and CSRF header: the server, not the page, must refuse.
    const csrf = (await seen.getAttribute('body', 'hx-headers')) ?? '{}';
    const statuses = await seen.evaluate(async (given) => {
      const headers = JSON.parse(given) as Record<string, string>;
      const post = async (path: string) => (await fetch(path, { method: 'POST', headers })).status;
      return [
        await post('/ui/actions/breakers/db/reset'),
        await post('/ui/actions/approvals/inc-1:approval:1/approve'),
        await post('/ui/actions/silences'),
      ];
    }, csrf);
    assert.deepEqual(statuses, [403, 403, 403]);
    assert.deepEqual(await seriousViolations(seen), []);
  } finally {
    await viewer.close();
  }
});

/** The open incident of a service, from the overview's table (waits for it). */
async function openIncidentOf(service: string): Promise<string> {
  const link = page.locator(`tr[data-incident]:has(td:text-is("${service}")) a`);
  await link.waitFor({ timeout: WAIT_MS });
  return (await link.textContent()) ?? '';
}

/** Both themes, as the tests leave the page: light again afterwards. */
async function screenshots(name: string, ready?: (scheme: 'light' | 'dark') => Promise<unknown>) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await ready?.(scheme);
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-${scheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await ready?.('light');
}

test('linked incidents: a dependent held by its root is shown as a tree under it', async () => {
  await openOverview();
  mend.targets.cache.setStatus(503);
  const root = await openIncidentOf('cache');
  mend.targets.web.setStatus(503);
  const dependent = await openIncidentOf('web');
  await page.waitForSelector(`tr[data-incident="${dependent}"] .phase-held`, { timeout: WAIT_MS });
  await page.goto(`${mend.base}/incidents/${dependent}`);
  const nested = `ul.tree > li[data-tree-node="${root}"] > ul > li[data-tree-node="${dependent}"]`;
  await page.waitForSelector(nested, { timeout: WAIT_MS });
  assert.match((await page.textContent(`li[data-tree-node="${root}"]`)) ?? '', /cache.*root/s);
  assert.match((await page.textContent(nested)) ?? '', /held for cache/);
  // This incident is marked where it stands; the root is a link to its own page.
  assert.equal(await page.locator(`${nested} > strong[aria-current="page"]`).count(), 1);
  assert.equal(
    await page.getAttribute(`li[data-tree-node="${root}"] > a`, 'href'),
    `/incidents/${root}`,
  );
  await screenshots('incident-linked');
  assert.deepEqual(await seriousViolations(page), []);
  // The root's page shows the same tree, its dependent a link.
  await page.goto(`${mend.base}/incidents/${root}`);
  await page.waitForSelector(`${nested} > a[href="/incidents/${dependent}"]`, { timeout: WAIT_MS });
  mend.targets.cache.setStatus(200);
  mend.targets.web.setStatus(200);
  await openOverview();
  await page.waitForSelector('#incidents-h + p.none', { timeout: WAIT_MS });
});

test('trends: charts drawn from the incidents so far, with their numbers, in both themes', async () => {
  // A shadow policy's incident first: would heal, and spare recovers on its own.
  await openOverview();
  mend.targets.spare.setStatus(503);
  await openIncidentOf('spare');
  mend.targets.spare.setStatus(200);
  await page.waitForSelector('#incidents-h + p.none', { timeout: WAIT_MS });

  await page.goto(`${mend.base}/trends?since=1h`);
  const charts = ['heals', 'outcomes', 'recovery', 'chronic', 'shadow'];
  const drawn = (scheme: string) =>
    page.waitForFunction(
      `[...document.querySelectorAll('[data-chart]')].filter((c) => c.dataset.drawn === ${JSON.stringify(scheme)} && c.querySelector('canvas')).length === ${charts.length}`,
      undefined,
      { timeout: WAIT_MS },
    );
  await drawn('light');
  // The heals chart has a line per service and runbook that healed: its legend names them.
  const legend = (await page.textContent('[data-chart="heals"] .u-legend')) ?? '';
  for (const line of ['api/restart', 'gate/restart', 'db/broken', 'cache/restart']) {
    assert.ok(legend.includes(line), `${line} in the legend: ${legend}`);
  }
  // The numbers as text: the heals table, and spare's shadow decision next to what happened.
  assert.match((await page.textContent('#heals-h ~ table')) ?? '', /api\s*restart\s*\d/);
  assert.match(
    (await page.textContent('#shadow-h ~ table tr[data-shadow]')) ?? '',
    /spare.*heal-spare.*heal.*recovered on its own/s,
  );
  assert.match((await page.textContent('#recovery-h ~ table')) ?? '', /\(all\)\s*[1-9]/);
  await screenshots('trends', drawn);
  assert.deepEqual(await seriousViolations(page), []);
});

test('audit: an admin reads the log with the chain verified; a viewer is refused by the server', async () => {
  const admins = await browser.newContext({
    bypassCSP: true,
    viewport: { width: 1400, height: 1000 },
  });
  const viewers = await browser.newContext({ bypassCSP: true });
  try {
    const admin = await admins.newPage();
    await signIn(admin, mend.base, mend.tokens.admin);
    await admin.click('nav a:has-text("Audit")');
    await admin.waitForSelector('[data-audit-verified="true"]', { timeout: WAIT_MS });
    assert.match(
      (await admin.textContent('[data-audit-verified]')) ?? '',
      /Chain verified: all \d+ rows hold; head seq \d+, hash [0-9a-f]{64}/,
    );
    // The operator's approval, reset and silence of the tests before, and this sign-in.
    const rows = (await admin.textContent('table.audit tbody')) ?? '';
    for (const action of ['approval.approve', 'breaker.reset', 'silence.create']) {
      assert.ok(rows.includes(action), `${action} in the log`);
    }
    assert.match(rows, /token:admin-1\s*admin\s*[\d.:]+\s*session\.sign-in/);
    for (const scheme of ['light', 'dark'] as const) {
      await admin.emulateMedia({ colorScheme: scheme });
      await admin.screenshot({ path: `${SCREENSHOTS}/audit-${scheme}.png` });
    }
    await admin.emulateMedia({ colorScheme: 'light' });
    assert.deepEqual(await seriousViolations(admin), []);

    const viewer = await viewers.newPage();
    await signIn(viewer, mend.base, mend.tokens.viewer);
    assert.equal(await viewer.locator('nav a:has-text("Audit")').count(), 0, 'no Audit link');
    const refused = await viewer.goto(`${mend.base}/audit`);
    assert.equal(refused?.status(), 403);
    assert.match(
      (await viewer.textContent('main')) ?? '',
      /Refused: a token with role viewer may not audit:read: it needs role admin/,
    );
    assert.equal(await viewer.locator('table.audit').count(), 0);
  } finally {
    await admins.close();
    await viewers.close();
  }
});

test('sign-out revokes the session: the old cookie opens nothing, and both land in the log', async () => {
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const signedIn = await context.newPage();
    await signIn(signedIn, mend.base, mend.tokens.viewer);
    const [cookie] = await context.cookies();
    assert.equal(cookie?.name, 'mend_session');
    await Promise.all([
      signedIn.waitForSelector('#token', { timeout: WAIT_MS }),
      signedIn.click('button:has-text("Sign out")'),
    ]);
    // The cookie the browser had, sent again by hand: the server forgot the session.
    const header = `mend_session=${cookie?.value}`;
    const fragment = await call(mend.base, 'GET', '/ui/fragments/overview', {
      headers: { cookie: header },
    });
    assert.equal(fragment.status, 401);
    assert.equal(fragment.headers['hx-redirect'], '/');
    const home = await call(mend.base, 'GET', '/', { headers: { cookie: header } });
    assert.match(home.body, /<input id="token"/, 'the sign-in form, not the overview');
    const log = (
      (await call(mend.base, 'GET', '/api/v1/audit?actor=token:viewer-1&limit=10', {
        token: mend.tokens.admin,
      }).then((a) => a.json())) as { items: { action: string; target: string }[] }
    ).items;
    const [out, into] = [
      log.find((r) => r.action === 'session.sign-out'),
      log.find((r) => r.action === 'session.sign-in'),
    ];
    assert.ok(out && into, JSON.stringify(log));
    assert.equal(out.target, into.target, 'the same session signed in and out');
  } finally {
    await context.close();
  }
});
