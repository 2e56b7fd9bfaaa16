/** The Storage page in Chromium: prices, a tier plan from the example object list, and a read-only server. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../server.js';
import { chromiumMissing, enforceCsp, launch } from './browser.js';

const missing = chromiumMissing();

describe.skipIf(missing)('storage page in Chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let readOnly: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer({ demo: false });
    readOnly = await startTestServer({ demo: false, readOnly: true });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await readOnly?.close();
  });

  async function open(url: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await enforceCsp(page);
    await page.goto(`${url}/#/storage`);
    await page.waitForSelector('main[data-ready="true"]', { timeout: 20_000 });
    return { page, errors };
  }

  it('lists the prices and plans the example objects', { timeout: 60_000 }, async () => {
    const { page, errors } = await open(server.url);
    expect(await page.locator('#storage-prices tbody tr').count()).toBe(13);
    await page.click('#storage-form button[type=submit]');
    await page.waitForSelector('#storage-plan');
    const rows = await page.locator('#storage-plan tbody tr').allTextContents();
    expect(rows.find((r) => r.startsWith('ckpt/run1/step1000.pt'))).toContain('STANDARD_IA from 0 → DEEP_ARCHIVE from 1');
    expect(rows.find((r) => r.startsWith('hot/features.parquet'))).toContain('STANDARD from 0');
    expect(await page.locator('#storage-lifecycle').textContent()).toContain('"StorageClass": "DEEP_ARCHIVE"');
    // The plan starts the checkpoint in Standard-IA, which no rule can do before day 30: the page says to upload it there.
    expect(await page.locator('#storage-uploads li').allTextContents()).toEqual(['Upload new ckpt/run1/step1000.pt objects with storage class STANDARD_IA: no transition fee, and a rule cannot move objects there before day 30.']);
    await page.fill('#storage-objects', 'key,size_bytes,created\na,1,yesterday\n');
    await page.click('#storage-form button[type=submit]');
    await page.waitForSelector('#storage-result .error');
    expect(await page.locator('#storage-result .error').textContent()).toContain('objects[0].created');
    expect(errors.filter((e) => !/422/.test(e))).toEqual([]);
    await page.close();
  });

  it('offers no plan form on a read-only server', async () => {
    const { page, errors } = await open(readOnly.url);
    expect(await page.locator('#storage-form').count()).toBe(0);
    expect(await page.locator('[data-state="read-only"]').count()).toBe(1);
    expect(await page.locator('#storage-prices tbody tr').count()).toBe(13);
    expect(errors).toEqual([]);
    await page.close();
  });
});
