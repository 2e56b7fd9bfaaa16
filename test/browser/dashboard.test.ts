/**
 * The dashboard in headless Chromium against a real server on the demo workspace: every page
 * opens without console errors, charts draw, and a file uploads end to end.
 */
import { mkdtempSync, writeFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../server.js';
import { repoRoot } from '../shared-data.js';
import { canvasPaintedScript, chromiumMissing, enforceCsp, launch } from './browser.js';

const missing = chromiumMissing();
const PAGES = ['overview', 'costs', 'gpus', 'forecasts', 'plans', 'simulations', 'storage', 'serving', 'upload'];

describe.skipIf(missing)('dashboard in Chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  const tmp = mkdtempSync(join(tmpdir(), 'penny-browser-'));

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function open(path: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    // Under the strict policy: an inline script or style attribute would be a console error here.
    await enforceCsp(page);
    await page.goto(`${server.url}/#/${path}`);
    await page.waitForSelector('main[data-ready="true"]', { timeout: 20_000 });
    return { page, errors };
  }

  it('opens every page without console errors', async () => {
    for (const p of PAGES) {
      const { page, errors } = await open(p);
      expect(await page.locator('main').getAttribute('data-page')).toBe(p);
      expect(await page.locator('main h1').count(), `${p} has a heading`).toBe(1);
      expect(await page.locator('nav a[aria-current="page"]').evaluateAll((as) => as.map((a) => a.getAttribute('data-page'))), `${p}: the nav marks it current`).toEqual([p]);
      // Every chart has a text alternative; every form control has a label.
      expect(await page.locator('.chart:not([role="img"][aria-label]), .chart[aria-label=""]').count(), `${p}: charts without a text alternative`).toBe(0);
      expect(await page.evaluate(`[...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')].filter((e) => !e.labels?.length && !e.getAttribute('aria-label')).map((e) => e.outerHTML.slice(0, 80))`), `${p}: unlabelled controls`).toEqual([]);
      expect(await page.locator('main .error').count(), `${p} shows no error`).toBe(0);
      // A value the page failed to format shows as JavaScript's own words (markup joined as text once
      // put "[object Object][object Object]" where the plan's savings should be).
      expect((await page.locator('main').innerText()).match(/\[object \w+\]|\bNaN\b|\bundefined\b|\bnull\b|\bInfinity\b/g), `${p}: unformatted values on screen`).toBeNull();
      expect(errors, `${p}: console errors`).toEqual([]);
      await page.close();
    }
  });

  it('draws the overview charts on the demo data', async () => {
    const { page, errors } = await open('overview');
    await expect.poll(() => page.evaluate(canvasPaintedScript('#chart-category')), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.evaluate(canvasPaintedScript('#chart-resource')), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#savings tbody tr').count()).toBeGreaterThanOrEqual(3);
    // Scenario savings are over its 365 days; the budget's actions on this page are per month.
    expect(await page.locator('#savings thead').innerText()).toContain('Saving over 365 days (USD)');
    expect(await page.locator('.card .value').first().textContent()).toMatch(/^\$[\d,]+$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws spend over time and the budget on the overview', async () => {
    const { page, errors } = await open('overview');
    await expect.poll(() => page.evaluate(canvasPaintedScript('#chart-spend', 1000)), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.evaluate(canvasPaintedScript('#chart-budget-ai-cloud')), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('[data-budget="ai-cloud"]').textContent()).toMatch(/Forecast overrun/);
    // The budget line (#111827) is drawn: a vertical run of its colour across the bars' band.
    await expect.poll(() => page.evaluate(`(() => {
      const canvas = document.querySelector('#chart-budget-ai-cloud canvas');
      const ctx = canvas.getContext('2d');
      const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const columns = new Map();
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (data[i + 3] > 200 && Math.abs(data[i] - 17) < 16 && Math.abs(data[i + 1] - 24) < 16 && Math.abs(data[i + 2] - 39) < 16) columns.set(x, (columns.get(x) ?? 0) + 1);
      }
      return Math.max(0, ...columns.values());
    })()`), { timeout: 10_000 }).toBeGreaterThan(50);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('explores costs by a tag and exports the table as CSV', async () => {
    const { page, errors } = await open('costs');
    await expect.poll(() => page.evaluate(canvasPaintedScript('#chart-costs', 1000)), { timeout: 10_000 }).toBe(true);
    await page.fill('#cost-form input[name=by]', 'tag:team');
    await page.selectOption('#cost-form select[name=granularity]', 'month');
    await page.click('#cost-form button[type=submit]');
    await expect.poll(async () => (await page.locator('#cost-table tbody tr').allTextContents()).join('|'), { timeout: 10_000 }).toMatch(/research.*\|.*product|product.*\|.*research/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-export')]);
    const csv = await download.createReadStream().then(async (s) => {
      let t = '';
      for await (const c of s) t += c;
      return t;
    });
    expect(csv.split('\n')[0]).toBe('tag:team,BillingCurrency,ListCost,BilledCost,EffectiveCost,Rows');
    expect(csv).toMatch(/^research,USD,[\d.]+,[\d.]+,[\d.]+,\d+$/m);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws the GPU fleet heat map with its waste findings', async () => {
    const { page, errors } = await open('gpus');
    await expect.poll(() => page.evaluate(canvasPaintedScript('#chart-gpu-heatmap', 1000)), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#gpu-recs tbody tr').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws the recorded plan against its baselines, and the simulated policies', async () => {
    const plan = await open('plans');
    await expect.poll(() => plan.page.evaluate(canvasPaintedScript('#chart-plan-baselines')), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => plan.page.evaluate(canvasPaintedScript('#chart-plan-timeline', 1000)), { timeout: 10_000 }).toBe(true);
    expect(await plan.page.locator('#plan-table tbody tr').count()).toBeGreaterThan(0);
    // One card per baseline the plan beats, with its saving and share.
    expect(await plan.page.locator('.card .label').allTextContents()).toEqual(['Plan cost', 'Saves vs all on-demand', 'Saves vs greedy by perf/cost', 'MIP gap proved']);
    expect(await plan.page.locator('.card').nth(1).locator('.value').textContent()).toMatch(/^\$[\d,]+$/);
    expect(plan.errors).toEqual([]);
    await plan.page.close();
    const sim = await open('simulations');
    await expect.poll(() => sim.page.evaluate(canvasPaintedScript('#chart-sim-cost')), { timeout: 10_000 }).toBe(true);
    expect(await sim.page.locator('#sim-table tbody tr').count()).toBe(6);
    // The demo's cheapest policy (FIFO) misses deadlines: the card names the cheapest that misses
    // none, and says what the cheaper one falls short by.
    const rows = (await sim.page.locator('#sim-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))).map((t) => ({ policy: t[0]!, cost: Number(t[1]!.replace(/[$,]/g, '')), missed: t[8]!.startsWith('0 /') ? 0 : 1, unscheduled: Number(t[9]) }));
    const ok = rows.filter((x) => x.missed === 0 && x.unscheduled === 0).sort((a, b) => a.cost - b.cost)[0]!;
    const cheapest = [...rows].sort((a, b) => a.cost - b.cost)[0]!;
    expect(cheapest.missed, 'the demo should keep a cheapest policy that misses deadlines').toBe(1);
    const simCard = sim.page.locator('.card', { hasText: 'Cheapest that finishes every job in time' });
    expect(await simCard.locator('.value').textContent()).toBe(ok.policy);
    expect(await simCard.locator('.note').textContent()).toMatch(new RegExp(`; ${cheapest.policy} costs \\$[\\d,]+ with \\d+ deadline miss`));
    expect(sim.errors).toEqual([]);
    await sim.page.close();
  });

  it('draws a fill-mode simulation (a pod list without times): refused demand as the cluster fills, stranded GPUs', async () => {
    // Posted as a pod list to the API, as a user would, so the page shows what the server records.
    const scenario = 'name: fill-ui\ncurrency: USD\nseed: 3\npools:\n  - { name: a100, gpuType: A100, gpusPerNode: 8, cpuMilli: 96000, memoryMib: 786432, pricing: on-prem, pricePerNodeHour: 12.00, nodes: 6 }\nfill: { targetShare: 1.2, order: shuffled }\n';
    const shapes = [[1, 1000, 8000], [1, 500, 4000], [1, 250, 2000], [2, 1000, 16000], [8, 1000, 64000], [0, 0, 4000]];
    const rows = Array.from({ length: 60 }, (_, i) => {
      const [gpus, milli, cpu] = shapes[(i * 7) % shapes.length]!;
      return `pod-${i},${cpu},16384,${gpus},${milli},,BE`;
    });
    const jobs = ['name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos', ...rows].join('\n') + '\n';
    const res = await fetch(`${server.url}/api/simulations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario, jobs, policies: ['best-fit', 'random-fit', 'fgd'] }) });
    expect(res.status).toBe(202);
    const job = (await res.json()) as { id: string };
    await (await fetch(`${server.url}/api/jobs/${job.id}/events`)).text();
    const done = (await (await fetch(`${server.url}/api/jobs/${job.id}`)).json()) as { status: string; result: { runId: string; simulation: { mode: string } } };
    expect(done.status).toBe('succeeded');
    expect(done.result.simulation.mode).toBe('fill');
    const { page, errors } = await open('simulations');
    await page.selectOption('#run-select', done.result.runId);
    await page.waitForSelector('#fill-table');
    await expect.poll(() => page.evaluate(canvasPaintedScript('#chart-fill-curve')), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.evaluate(canvasPaintedScript('#chart-fill-stranded')), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#fill-table tbody tr').count()).toBe(3);
    expect(await page.locator('#run-body').textContent()).toMatch(/pods shuffled \(seed 3\)/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws the recorded forecast with its band and backtest', async () => {
    const { page, errors } = await open('forecasts');
    await expect.poll(() => page.evaluate(canvasPaintedScript('#chart-forecast', 1000)), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#backtest tbody tr').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('#run-select option').count()).toBe(1);
    // sMAPE arrives in percent (0–200): shown as it is, not multiplied by 100 again.
    const run = (await (await fetch(`${server.url}/api/runs/${await page.locator('#run-select').inputValue()}`)).json()) as { result: { backtest: { model: string; smape?: number }[] } };
    const withSmape = run.result.backtest.filter((b) => b.smape !== undefined);
    expect(withSmape.length).toBeGreaterThan(0);
    const cells = await page.locator('#backtest tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.children[0]!.textContent!.replace(' (chosen)', ''), tr.children[2]!.textContent!]));
    for (const b of withSmape) {
      const shown = cells.find(([m]) => m === b.model)?.[1];
      expect(shown, b.model).toBe(`${b.smape!.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`);
      expect(Number(shown!.replace(/[%,]/g, ''))).toBeLessThanOrEqual(200);
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it('uploads a scenario end to end and shows the result', async () => {
    const file = join(tmp, 'lp-example.yaml');
    copyFileSync(join(repoRoot, 'examples', 'lp-example.yaml'), file);
    const { page, errors } = await open('upload');
    await page.setInputFiles('#upload-file', file);
    await page.click('#upload-form button[type=submit]');
    const result = page.locator('#upload-result [data-state="done"]');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.textContent()).toMatch(/lp-example, total \$130,000\.00/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says a file already ingested changed nothing, from the answer of the server', async () => {
    // The demo workspace has ingested this very bill already.
    const { page, errors } = await open('upload');
    await page.setInputFiles('#upload-file', join(repoRoot, 'examples', 'demo', 'billing-focus.csv'));
    await page.click('#upload-form button[type=submit]');
    const result = page.locator('#upload-result [data-state]');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.getAttribute('data-state')).toBe('unchanged');
    expect(await result.textContent()).toMatch(/^Already ingested: billing-focus\.csv has the same content as a file ingested on 2026-11-01 12:00; nothing changed\.$/);
    expect(await result.textContent()).not.toMatch(/Ingested/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says how many samples of an nvidia-smi log were stored and skipped, and that a second upload changed nothing', async () => {
    // Was "Ingested gpu-x.csv as nvidia-smi" both times: no count, and a re-upload looked like a write.
    const file = join(tmp, 'gpu-x.csv');
    const row = (s: number, u: number) => `2026/11/02 08:00:0${s}.000, 7, GPU-upload-test, NVIDIA L4, ${u} %, 1000 MiB, 40.00 W`;
    writeFileSync(file, ['timestamp, index, uuid, name, utilization.gpu [%], memory.used [MiB], power.draw [W]', row(0, 10), row(1, 20), row(1, 20)].join('\n') + '\n');
    for (const [state, text] of [
      ['done', /^Ingested gpu-x\.csv as an nvidia-smi log: 2 samples of 1 GPU \(skipped: 1 row repeating an earlier row of the file\)\. See the GPUs\.$/],
      ['unchanged', /^Already ingested: gpu-x\.csv has the same content as a GPU log ingested before; nothing changed\.$/],
    ] as const) {
      const { page, errors } = await open('upload');
      await page.setInputFiles('#upload-file', file);
      await page.click('#upload-form button[type=submit]');
      const result = page.locator('#upload-result [data-state]');
      await result.waitFor({ timeout: 20_000 });
      expect(await result.getAttribute('data-state')).toBe(state);
      expect(await result.textContent()).toMatch(text);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('solves a plan from the Plans page with live progress and shows it', async () => {
    const { page, errors } = await open('plans');
    const before = await page.locator('#run-select option').count();
    await page.click('#start-plan summary');
    expect(await page.locator('#plan-scenario').inputValue()).toMatch(/^name: plan-day/);
    await page.fill('#plan-scenario', (await page.locator('#plan-scenario').inputValue()).replace('name: plan-day', 'name: plan-from-ui'));
    await page.click('#plan-form button[type=submit]');
    await page.locator('#start-result [data-state="done"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#run-select option').count()).toBe(before + 1);
    expect(await page.locator('#run-select option:checked').textContent()).toMatch(/^plan-from-ui · /);
    await page.waitForSelector('#plan-table tbody tr');
    await expect.poll(() => page.evaluate(canvasPaintedScript('#chart-plan-timeline', 1000)), { timeout: 10_000 }).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows what is wrong when a plan from the form does not validate', async () => {
    const { page } = await open('plans');
    await page.click('#start-plan summary');
    await page.fill('#plan-scenario', 'name: broken\ncurrency: USD\nperiods: 2\nclasses:\n  - name: x\n    demand: { csv: /etc/passwd, column: a }\n    gpus: { A100: 1 }\n');
    await page.click('#plan-form button[type=submit]');
    const alert = page.locator('#start-result [role="alert"]');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toMatch(/classes\[0\]\.demand/);
    await page.close();
  });

  it('runs a simulation from the Simulations page with live progress and shows it', async () => {
    const { page, errors } = await open('simulations');
    await page.click('#start-simulation summary');
    expect(await page.locator('#sim-scenario').inputValue()).toMatch(/name: hybrid-a100-h100/);
    for (const p of ['sjf', 'backfill', 'best-fit', 'least-loaded']) await page.uncheck(`#sim-form input[value="${p}"]`);
    await page.check('#sim-form input[value="perf-cost"]');
    await page.click('#sim-form button[type=submit]');
    await page.locator('#start-result [data-state="done"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#run-select option:checked').textContent()).toMatch(/^hybrid-a100-h100 · /);
    await page.waitForSelector('#sim-table');
    expect(await page.locator('#sim-table tbody tr td:first-child').allTextContents()).toEqual(['fifo', 'perf-cost']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers no plan or simulation form that a read-only server would refuse', async () => {
    const ro = await startTestServer({ demo: false, readOnly: true });
    try {
      for (const [path, kind] of [['plans', 'plan'], ['simulations', 'simulation']] as const) {
        const page = await browser.newPage();
        await page.goto(`${ro.url}/#/${path}`);
        await page.waitForSelector(`#start-${kind} [data-state="read-only"]`, { state: 'attached', timeout: 20_000 });
        expect(await page.locator(`#start-${kind} button[type=submit]`).isDisabled()).toBe(true);
        expect(await page.locator('main [data-state="empty"]').count()).toBe(1);
        await page.close();
      }
    } finally {
      await ro.close();
    }
  });

  it('shows the problem when an uploaded scenario is invalid', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'resources:\n  - { name: x, kind: server, purchasePrice: -4 }\n');
    const { page } = await open('upload');
    await page.setInputFiles('#upload-file', file);
    await page.click('#upload-form button[type=submit]');
    const alert = page.locator('#upload-result [role="alert"]');
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toMatch(/resources\[0\]\.purchasePrice.*expected a non-negative number, found -4/);
    await page.close();
  });
});
