import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, seriousViolations, signIn, WAIT_MS } from './browser.ts';
import { type DashboardMend, HOSTILE_LINE, startDashboardMend } from './dashboard-mend.ts';

/**
 * The dashboard in a real browser (Debian's chromium) against a real `mend run`: what an on-call
 * person sees and does, live, without reloading. One mend and one browser for the file; the
 * tests run in order and each leaves the services healthy.
 */
const SCREENSHOTS = 'docs/screenshots';

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

test('signed in, the overview shows every service with its checks and who is signed in', async () => {
  assert.match((await page.textContent('.who')) ?? '', /operator-1 \(operator\)/);
  for (const name of ['api', 'gate', 'db']) {
    await page.waitForSelector(`${row('data-service', name)} .check.healthy`, { timeout: WAIT_MS });
  }
  // Grouping by a label and searching narrow the grid.
  await page.selectOption('#group', 'env');
  await page.waitForSelector('h3:has-text("env=stage")', { timeout: WAIT_MS });
  await page.fill('#q', 'gate');
  await waitForRows(1);
  await page.fill('#q', '');
  await page.selectOption('#group', '');
  await waitForRows(3);
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
