/** The Serving page in Chromium: the example trace compared and planned as a job, recorded and shown; a bad row named. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../server.js';
import { chromiumMissing, enforceCsp, launch } from './browser.js';

const missing = chromiumMissing();

describe.skipIf(missing)('serving page in Chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ demo: false });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('compares every balancer × autoscaler on the example and shows the plan', { timeout: 120_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await enforceCsp(page);
    await page.goto(`${server.url}/#/serving`);
    await page.waitForSelector('main[data-ready="true"]', { timeout: 20_000 });
    expect(await page.locator('#runs-area').textContent()).toMatch(/No serving recorded/);
    await page.click('#start-serving summary');
    await page.click('#serving-form button[type=submit]');
    await page.locator('#start-result [data-state="done"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('#run-select option').count()).toBe(1);
    await page.waitForSelector('#serving-table');
    const rows = await page.locator('#serving-table tbody tr').allTextContents();
    // 3 autoscalers × 4 balancers (no spot trace in the page: spot-mix is left out, with a note) + the plan.
    expect(rows).toHaveLength(13);
    expect(rows[0]).toMatch(/^fixed-peakround-robin\$/);
    expect(rows.at(-1)).toMatch(/^plan \(/);
    await page.fill('#serving-requests', 'time,context_tokens,generated_tokens\n0,-5,3\n');
    await page.click('#serving-form button[type=submit]');
    await page.waitForSelector('#start-result [role="alert"]');
    expect(await page.locator('#start-result [role="alert"]').textContent()).toMatch(/contextTokens/);
    expect(errors.filter((e) => !/422/.test(e))).toEqual([]);
    await page.close();
  });
});
