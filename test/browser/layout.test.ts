/**
 * Every page at a desktop width (1440 px) and a phone's (390 px): the page never scrolls sideways
 * (wide tables scroll inside their own box), nothing logs an error under the strict
 * Content-Security-Policy, and a screenshot of each is written to tmp/screenshots/ (not committed)
 * for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../server.js';
import { repoRoot } from '../shared-data.js';
import { chromiumMissing, enforceCsp, launch } from './browser.js';

const missing = chromiumMissing();
const PAGES = ['overview', 'costs', 'gpus', 'forecasts', 'plans', 'simulations', 'storage', 'serving', 'upload'];
const WIDTHS = [1440, 390];
const SHOTS = join(repoRoot, 'tmp', 'screenshots');

describe.skipIf(missing)('dashboard layout at desktop and phone widths', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const width of WIDTHS) {
    it(`fits ${width} px on every page`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1, isMobile: width < 600, hasTouch: width < 600 });
      const wide: string[] = [];
      for (const path of PAGES) {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('pageerror', (e) => errors.push(String(e)));
        await enforceCsp(page);
        await page.goto(`${server.url}/#/${path}`);
        await page.waitForSelector('main[data-ready="true"]', { timeout: 20_000 });
        // Charts resize on the next frame after layout.
        await page.waitForTimeout(200);
        // The form on the run pages opens too: it is part of the page a phone must fit.
        if (await page.locator('details.start').count()) await page.locator('details.start summary').click();
        const { scrollWidth, clientWidth, culprits } = (await page.evaluate(`(() => {
          const root = document.scrollingElement;
          const vw = root.clientWidth;
          // The outermost elements sticking out, to say what to fix.
          const out = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > vw + 0.5 && !e.closest('.table-wrap') && !e.parentElement?.closest('.chart'));
          return { scrollWidth: root.scrollWidth, clientWidth: vw, culprits: out.slice(0, 4).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.') + ' right=' + Math.round(e.getBoundingClientRect().right)) };
        })()`)) as { scrollWidth: number; clientWidth: number; culprits: string[] };
        await page.screenshot({ path: join(SHOTS, `${path}-${width}.png`), fullPage: true });
        if (scrollWidth > clientWidth) wide.push(`${path}: ${scrollWidth} px > ${clientWidth} px (${culprits.join(', ')})`);
        expect(clientWidth, 'no vertical scrollbar narrows the page in headless Chromium').toBeLessThanOrEqual(width);
        expect(errors, `${path} at ${width} px: console errors`).toEqual([]);
        await page.close();
      }
      expect(wide, `pages wider than ${width} px`).toEqual([]);
      await context.close();
    });
  }
});
