import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type FlakyServer, startFlakyServer } from '../helpers/flaky-server.ts';
import { type RunningMend, startRunningMend } from '../helpers/running-mend.ts';
import { launchChromium, SCREENSHOTS, seriousViolations, signIn, WAIT_MS } from './browser.ts';

/**
 * The overview at 500 services, in a real browser against a real `mend run`: the grid must stay
 * readable (no sideways scroll, a line a service), and grouping, search and "failing only" must
 * find what matters. Ten teams of fifty; five services (one in each of teams 0-4) fail.
 */
const SERVICES = 500;
const TEAMS = 10;
const FAILING = [7, 111, 222, 333, 444];

let mend: RunningMend;
let broken: FlakyServer;
let browser: Browser;
let page: Page;

const name = (i: number) => `svc-${String(i).padStart(3, '0')}`;

function config(healthyUrl: string): string {
  const docs: string[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const failing = FAILING.includes(i);
    // Healthy ones are probed slowly: 500 checks on a loaded 2-core machine.
    docs.push(`apiVersion: mend/v1
kind: Service
metadata: { name: ${name(i)}, labels: { team: team-${i % TEAMS}, env: ${i % 3 === 0 ? 'stage' : 'prod'} } }
spec:
  checks:
    - name: live
      periodSeconds: ${failing ? 1 : 30}
      failureThreshold: 1
      http: { url: "${failing ? broken.url : healthyUrl}" }
`);
  }
  return docs.join('---\n');
}

before(async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  broken = await startFlakyServer(503);
  try {
    mend = await startRunningMend({ config });
  } catch (err) {
    await broken.close();
    throw err;
  }
  browser = await launchChromium();
  const context = await browser.newContext({
    bypassCSP: true,
    viewport: { width: 1280, height: 900 },
  });
  page = await context.newPage();
  await signIn(page, mend.base, mend.tokens.viewer);
});

after(async () => {
  await browser?.close();
  await mend?.stop();
  await broken?.close();
});

const rows = (count: number) =>
  page.waitForFunction(
    `document.querySelectorAll('tr[data-service]').length === ${count}`,
    undefined,
    { timeout: WAIT_MS },
  );

test('500 services: one line each, no sideways scroll, the failing ones first', async () => {
  await rows(SERVICES);
  await page.waitForFunction(
    `document.querySelectorAll('tr[data-service].failing').length === ${FAILING.length}`,
    undefined,
    { timeout: WAIT_MS },
  );
  const layout = (await page.evaluate(`(() => {
    const heights = [...document.querySelectorAll('tr[data-service]')].map((r) => r.getBoundingClientRect().height);
    return {
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      tallest: Math.max(...heights),
      first: [...document.querySelectorAll('tr[data-service]')].slice(0, ${FAILING.length}).map((r) => r.dataset.service),
    };
  })()`)) as { overflow: number; tallest: number; first: string[] };
  assert.ok(layout.overflow <= 0, `the page scrolls sideways by ${layout.overflow}px`);
  assert.ok(layout.tallest <= 40, `a service's row is ${layout.tallest}px tall: one line each`);
  assert.deepEqual(layout.first, FAILING.map(name), 'failing services lead the grid');
});

test('500 services as a map: every one on a screen, failing ones first, linked to their incident', async () => {
  await page.selectOption('#view', 'map');
  await page.waitForFunction(
    `document.querySelectorAll('.map li[data-service]').length === ${SERVICES}`,
    undefined,
    { timeout: WAIT_MS },
  );
  const map = (await page.evaluate(`(() => {
    const box = document.querySelector('.map').getBoundingClientRect();
    return {
      height: box.height,
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      failing: [...document.querySelectorAll('.map li.failing')].map((li) => li.dataset.service),
      links: document.querySelectorAll('.map li.failing a[href^="/incidents/inc-"]').length,
    };
  })()`)) as { height: number; overflow: number; failing: string[]; links: number };
  assert.ok(map.height <= 900, `the map is ${map.height}px tall: more than one screen`);
  assert.ok(map.overflow <= 0, `the page scrolls sideways by ${map.overflow}px`);
  assert.deepEqual(map.failing, FAILING.map(name));
  assert.equal(map.links, FAILING.length, 'each failing cell links to its incident');
  await page.locator('.map').scrollIntoViewIfNeeded();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: `${SCREENSHOTS}/overview-500-${scheme}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(await seriousViolations(page), []);
  await page.selectOption('#view', 'table');
  await rows(SERVICES);
});

test('500 services: grouped by team, searched by label, narrowed to the failing', async () => {
  await page.selectOption('#group', 'team');
  await page.waitForFunction(
    `document.querySelectorAll('#services-h ~ h3').length === ${TEAMS}`,
    undefined,
    { timeout: WAIT_MS },
  );
  await page.fill('#q', 'team=team-3');
  await rows(SERVICES / TEAMS);
  await page.fill('#q', '');
  await page.selectOption('#group', '');
  await page.selectOption('#show', 'failing');
  await rows(FAILING.length);
  assert.deepEqual(await seriousViolations(page), []);
  await page.selectOption('#show', 'all');
  await rows(SERVICES);
});
