/**
 * A bill in two currencies on the dashboard: the spend charts (overview, cost explorer) draw one
 * chart per currency, each with its own total, and never add dollars to euros.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFocus } from '../../src/app/billing.js';
import { focusSource } from '../../src/adapters/importers/focus-thread.js';
import { startTestServer } from '../server.js';
import { chromiumMissing, enforceCsp, launch } from './browser.js';

const missing = chromiumMissing();

describe.skipIf(missing)('dashboard with a bill in two currencies', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  const tmp = mkdtempSync(join(tmpdir(), 'penny-currencies-'));

  beforeAll(async () => {
    server = await startTestServer({ demo: false });
    const bill = join(tmp, 'two-currencies.csv');
    writeFileSync(bill, [
      'BillingAccountId,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,ServiceCategory,ServiceName',
      'a,USD,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,1000,1000,Compute,EC2',
      'a,EUR,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,500,500,Compute,EC2',
      'a,USD,2026-10-02T00:00:00Z,2026-10-03T00:00:00Z,234,234,Storage,S3',
    ].join('\n') + '\n');
    await ingestFocus(server.workspace.billing, { now: () => new Date('2026-11-01T00:00:00Z') }, bill, await focusSource(bill));
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('draws one spend chart per currency, each with its own total', async () => {
    for (const [path, id] of [['overview', 'chart-spend'], ['costs', 'chart-costs']] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await enforceCsp(page);
      await page.goto(`${server.url}/#/${path}`);
      await page.waitForSelector('main[data-ready="true"]', { timeout: 20_000 });
      const labels = await page.locator(`[id^="${id}"]`).evaluateAll((els) => els.map((e) => [e.id, e.getAttribute('aria-label') ?? '']));
      expect(labels.map(([i]) => i), path).toEqual([id, `${id}-EUR`]);
      expect(labels[0]![1], path).toMatch(/in USD/);
      expect(labels[1]![1], path).toMatch(/in EUR/);
      if (path === 'overview') {
        // $1,234 and €500, never "$1,734".
        expect(labels[0]![1]).toMatch(/total \$1,234\./);
        expect(labels[1]![1]).toMatch(/total €500\./);
      }
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});
