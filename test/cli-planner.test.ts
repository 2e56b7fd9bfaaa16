import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGap } from '../src/adapters/cli/commands/plan.js';
import { Decimal } from '../src/core/money.js';
import { runPenny } from './cli.js';
import { repoRoot, sharedFile } from './shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-plan-cli-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('penny catalog', () => {
  it('lists real H100 offerings cheapest first, with the built-in date', async () => {
    const r = await runPenny(['catalog', '--gpu', 'H100']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/built-in prices of \d{4}-\d{2}( to \d{4}-\d{2})?/);
    expect(r.stdout).toMatch(/p5\.48xlarge/);
    expect(r.stdout).toMatch(/USD\/GPU-h/);
  });

  it('reads the real FSDL and SkyPilot files, as JSON with decimal strings', async () => {
    const fsdl = sharedFile('prices/fsdl-cloud-gpus-latest.csv');
    const sky = sharedFile('prices/skypilot-v8-nebius-vms.csv');
    if (!fsdl || !sky) return;
    const r = await runPenny(['catalog', '--catalog', fsdl, '--catalog', sky, '--gpu', 'H100', '--min-gpus', '8', '--sort', 'price-per-gpu', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { offerings: { gpuCount: number; usdPerGpuHour: string; provider: string }[] };
    expect(j.offerings.length).toBeGreaterThan(3);
    expect(j.offerings.every((o) => o.gpuCount >= 8 && typeof o.usdPerGpuHour === 'string')).toBe(true);
    expect(j.offerings.some((o) => o.provider === 'nebius')).toBe(true);
  });

  it('reads a SkyPilot catalog folder (every cloud, nested or flat), dated by its oldest file, and warns past 90 days', async () => {
    const sky = join(dir, 'sky-v8');
    mkdirSync(join(sky, 'aws'), { recursive: true });
    mkdirSync(join(sky, 'lambda'), { recursive: true });
    writeFileSync(join(sky, 'aws', 'vms.csv'), 'InstanceType,vCPUs,MemoryGiB,AcceleratorName,AcceleratorCount,GpuInfo,Region,AvailabilityZone,Price,SpotPrice\np5.48xlarge,192,2048,H100,8,,us-east-1,us-east-1a,55.04,21.50\np5.48xlarge,192,2048,H100,8,,us-east-1,us-east-1b,55.04,20.10\nm5.large,2,8,,0,,us-east-1,us-east-1a,0.096,\n');
    writeFileSync(join(sky, 'lambda', 'vms.csv'), 'InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,GpuInfo,SpotPrice\ngpu_8x_h100_sxm5,H100,8,208,1800,23.92,us-east-1,,\n');
    writeFileSync(join(sky, 'images.csv'), 'not,prices\n');
    const fresh = await runPenny(['catalog', '--catalog', sky, '--gpu', 'H100', '--json']);
    expect(fresh.code).toBe(0);
    const j = JSON.parse(fresh.stdout) as { offerings: { id: string; usdPerHour: string }[]; warnings?: string[] };
    expect(j.offerings.map((o) => `${o.id} ${o.usdPerHour}`)).toEqual(['lambda/us-east-1/gpu_8x_h100_sxm5 23.92', 'aws/us-east-1/p5.48xlarge 55.04']);
    expect(j.warnings).toBeUndefined();
    const old = new Date(Date.now() - 120 * 86_400_000);
    utimesSync(join(sky, 'aws', 'vms.csv'), old, old);
    const stale = await runPenny(['catalog', '--catalog', sky, '--gpu', 'H100', '--spot']);
    expect(stale.code).toBe(0);
    expect(stale.stdout).toMatch(/20\.10/);
    expect(stale.stderr).toMatch(new RegExp(`warning: the prices in ${sky.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} are 1(19|20|21) days old \\(oldest file modified`));
    const builtin = await runPenny(['catalog', '--gpu', 'H100']);
    expect(builtin.stderr).toMatch(/warning: the built-in prices are \d+–\d+ days old \(list prices \(.*\): list date 20\d\d-\d\d; aws prices \(SkyPilot catalog\): not before 20\d\d-\d\d/);
    const empty = join(dir, 'empty-sky');
    mkdirSync(empty, { recursive: true });
    const none = await runPenny(['catalog', '--catalog', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no SkyPilot vms\.csv in this folder/);
  });

  it('reads the real shared prices folder as a SkyPilot catalog folder (its nebius file; FSDL and accelerators left alone)', async () => {
    const sky = sharedFile('prices/skypilot-v8-nebius-vms.csv');
    if (!sky) return;
    const r = await runPenny(['catalog', '--catalog', dirname(sky), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { offerings: { provider: string }[] };
    expect(j.offerings.length).toBeGreaterThan(5);
    expect(new Set(j.offerings.map((o) => o.provider))).toEqual(new Set(['nebius']));
  });

  it('refuses a bad --min-gpus with exit 2', async () => {
    const r = await runPenny(['catalog', '--min-gpus', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--min-gpus must be a positive integer/);
  });
});

describe('penny plan', () => {
  it('plans the example week cheaper than both baselines and says by how much', async () => {
    const mps = join(dir, 'week.mps');
    const r = await runPenny(['plan', 'examples/plan-week.yaml', '--no-explain', '--export-mps', mps]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/all on-demand: .*→ the plan saves \$[\d,.]+ \(\d/);
    expect(r.stdout).toMatch(/greedy by perf\/cost: .*→ the plan saves \$[\d,.]+ \(\d/);
    expect(r.stdout).toMatch(/MIP gap 0\.\d\d% proved/);
    expect(r.stdout).toMatch(/[\d,]+ branch-and-bound nodes/);
    expect(r.stdout).toMatch(/reserved/);
    expect(readFileSync(mps, 'utf8')).toMatch(/^NAME plan-week/);
  });

  it('prints a buyer\'s summary first, within the width, with the hourly detail on --detail and every period in --csv', async () => {
    const csv = join(dir, 'week.csv');
    const r = await runPenny(['plan', 'examples/plan-week.yaml', '--no-explain', '--width', '80', '--csv', csv]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(r.stdout).toMatch(/^Cost: \$[\d,.]+ over 168 h, \$[\d,.]+ per month \(730 h\)/m);
    expect(r.stdout).toMatch(/^Commit \(paid every hour/m);
    // Wrapped at 80 columns: words may sit on the next line.
    expect(r.stdout).toMatch(/1-year\s+reservation,\s+partial\s+upfront:\s+\$50,000\.00\s+upfront\s+\+\s+\$11\.00\/h\s+each\s+=\s+\$16\.71\/h/);
    expect(r.stdout).toMatch(/^Keep on spot/m);
    expect(r.stdout).toMatch(/^Burst on demand:/m);
    expect(r.stdout).not.toMatch(/Instances per period/);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('period,startHour,offering,provider,region,instanceType,gpu,gpuCount,priceModel,commitment,priceUsdPerHour,instances');
    expect(new Set(rows.slice(1).map((x) => Number(x.split(',')[0]))).size).toBe(168);
    expect(rows.some((x) => x.includes(',reserved,1-year reservation, partial upfront,'))).toBe(false);
    expect(rows.some((x) => x.includes(',reserved,"1-year reservation, partial upfront",'))).toBe(true);
    const d = await runPenny(['plan', 'examples/plan-week.yaml', '--no-explain', '--detail']);
    expect(d.stdout).toMatch(/Instances per period/);
    expect(d.stdout.indexOf('Burst on demand')).toBeLessThan(d.stdout.indexOf('Instances per period'));
  });

  it('reports a plan in the scenario\'s currency through its exchange rate, and asks for the rate when it is missing', async () => {
    const base = 'catalogs: [builtin]\nclasses:\n  - { name: t, demand: [16, 16], gpus: { H100: 1 } }\nallow: { spot: false }\n';
    const usd = await runPenny(['plan', write('usd.yaml', base), '--json', '--no-explain']);
    const eur = await runPenny(['plan', write('eur.yaml', `currency: EUR\nexchangeRates: { USD: 0.92 }\n${base}`), '--json', '--no-explain']);
    expect(eur.code).toBe(0);
    const [u, e] = [JSON.parse(usd.stdout), JSON.parse(eur.stdout)];
    expect(e.totalUsd).toBe(u.totalUsd);
    expect(e.inCurrency.currency).toBe('EUR');
    expect(e.inCurrency.total).toBe(new Decimal(u.totalUsd).times('0.92').toFixed());
    expect(new Decimal(e.perMonthUsd).eq(new Decimal(u.totalUsd).div(2).times(730))).toBe(true);
    const text = await runPenny(['plan', write('eur.yaml', `currency: EUR\nexchangeRates: { USD: 0.92 }\n${base}`), '--no-explain']);
    expect(text.stdout).toMatch(/Amounts in EUR at 0\.92 EUR per USD/);
    // 16 × nebius's 1-GPU H100 at $2.95 × 2 h = $94.40 = €86.848.
    expect(e.inCurrency.total).toBe('86.848');
    expect(text.stdout).toMatch(/^Cost: €86\.85 over 2 h, €31,699\.52 per month/m);
    const missing = await runPenny(['plan', write('gbp.yaml', `currency: GBP\n${base}`)]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/gbp\.yaml:1:\d+: currency: a plan in another currency than USD needs the rate from USD: exchangeRates: \{ USD:/);
  });

  it('sizes a savings plan from the scenario: commits what the base load draws, bursts the rest on demand', async () => {
    const s = write('sp.yaml', 'catalogs: [builtin]\nclasses:\n  - { name: t, demand: [16, 16, 8, 8], gpus: { H100: 1 }, regions: [aws] }\nallow: { spot: false }\nsavingsPlans:\n  - { name: aws-1y, provider: aws, termYears: 1, payment: none, discount: 0.4 }\n');
    const r = await runPenny(['plan', s, '--json', '--no-explain']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // Eight H100s ($55.04/h as one p5.48xlarge or eight p5.4xlarge) all 4 h at 40% off need $33.024/h: 3,303 whole cents;
    // the second eight only 2 h of 4, on demand ($33.03 × 4 h = $132.12 committed would cost more than $110.08).
    expect(j.savingsPlans[0]).toMatchObject({ name: 'aws-1y', committedUsdPerHour: '33.03', breakEvenUtilisation: 0.6, upfrontUsd: '0' });
    expect(j.totalUsd).toBe(new Decimal('33.03').times(4).plus(new Decimal('55.04').times(2)).toFixed());
    // The summary lists the commitment's cost beside the burst's: $132.12 + $110.08 = $242.20, the plan's cost.
    const shown = await runPenny(['plan', s, '--no-explain']);
    // Lines are wrapped to the terminal: continuation lines joined back.
    const flat = shown.stdout.replace(/\n {4,}/g, ' ');
    expect(flat).toMatch(/^Cost: \$242\.20 over 4 h/m);
    expect(flat).toMatch(/\$33\.03\/h to aws-1y .*\(8×H100\) · \$132\.12$/m);
    expect(flat).toMatch(/p5\.48xlarge \(8×H100\) at \$55\.04\/h, .* · \$110\.08$/m);
    const bad = await runPenny(['plan', write('spb.yaml', 'classes:\n  - { name: t, demand: [1], gpus: { H100: 1 } }\nsavingsPlans:\n  - { name: x, provider: aws, termYears: 1, payment: none, discount: 1.4 }\n')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/spb\.yaml:4:\d+: savingsPlans\[0\]\.discount/);
  });

  it('plans with a catalog in EUR converted at the scenario rate; penny catalog refuses to list it as USD', async () => {
    const cat = write('eur-cat.csv', 'InstanceType,AcceleratorName,AcceleratorCount,Price,SpotPrice,Region\nh100x1,H100,1,2.76,,fr1\n');
    const s = write('eur-plan.yaml', 'currency: EUR\nexchangeRates: { USD: 0.92 }\nclasses:\n  - { name: t, demand: [3], gpus: { H100: 1 } }\n');
    const r = await runPenny(['plan', s, '--catalog', cat, '--catalog-currency', 'EUR', '--json', '--no-explain']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // 3 × €2.76 = €8.28 = $9 exactly.
    expect([j.totalUsd, j.inCurrency.total]).toEqual(['9', '8.28']);
    const yaml = write('eur-cat.yaml', 'currency: EUR\nofferings:\n  - { provider: ovh, instanceType: h100x1, gpu: H100, gpus: 1, onDemandUsdPerHour: 2.76 }\n');
    const list = await runPenny(['catalog', '--catalog', yaml]);
    expect(list.code).toBe(2);
    expect(list.stderr).toMatch(/its prices are in EUR; penny catalog lists USD prices/);
  });

  it('refuses a gap that is not a ratio (--gap 5 meant 5%), and reads 0.5%', async () => {
    const bad = await runPenny(['plan', 'examples/plan-week.yaml', '--gap', '5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--gap must be a ratio/);
    expect(bad.stderr).toMatch(/Did you mean --gap 0\.05 \(5%\)\?/);
    const nodes = await runPenny(['plan', 'examples/plan-week.yaml', '--max-nodes', '1.5']);
    expect(nodes.code).toBe(2);
    expect(parseGap('0.5%')).toBe(0.005);
    expect(parseGap('0')).toBe(0);
    expect(() => parseGap('1')).toThrow(/ratio/);
  });

  it('explains a plan whose quota cannot cover the demand, exit 2', async () => {
    const csv = write('d.csv', 'timestamp,training\n2026-03-02T00:00:00Z,40\n2026-03-02T01:00:00Z,40\n');
    const s = write('quota.yaml', `catalogs: [builtin]\nclasses:\n  - name: training\n    demand: { csv: ${csv}, column: training }\n    gpus: { H100: 1 }\n    regions: [us-east-1]\nallow: { spot: false }\nquotas:\n  offerings: { aws/us-east-1/p5.48xlarge: 3, aws/us-east-1/p5.4xlarge: 0 }\n  groups: [{ provider: lambda, maxGpus: 0 }, { provider: gcp, maxGpus: 0 }, { provider: azure, maxGpus: 0 }, { provider: nebius, maxGpus: 0 }]\n`);
    const r = await runPenny(['plan', s, '--no-explain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: no plan covers the demand/);
    expect(r.stderr).toMatch(/training: 32 work units of 80 cannot be met \(40%\)/);
    expect(r.stderr).toMatch(/To fix: .*raise the quota of p5\.48xlarge in aws\/us-east-1 to 5/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('points at the line of a bad field in the scenario', async () => {
    const s = write('bad.yaml', 'periodHours: 1\nclasses:\n  - name: x\n    demand: [1, 2]\n    gpus: { H100: 1 }\n    spotShare: 1.5\n');
    const r = await runPenny(['plan', s]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:6:\d+: classes\[0\]\.spotShare: expected a number from 0 to 1, found "?1\.5"?/);
  });

  it('refuses a NaN price in a catalog at the boundary', async () => {
    const cat = write('nan.csv', 'InstanceType,AcceleratorName,AcceleratorCount,Price,Region\nx1,H100,1,NaN,r1\n');
    const s = write('nan.yaml', `catalogs: [${cat}]\nclasses:\n  - { name: x, demand: [1], gpus: { H100: 1 } }\n`);
    const r = await runPenny(['plan', s]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nan\.csv:2: Price: not a price/);
  });

  it('gives the same plan as the golden file for a small fixed scenario', async () => {
    const s = write('golden.yaml', 'name: golden-small\ncatalogs: [builtin]\nperiodHours: 2\nclasses:\n  - { name: train, demand: [30, 30, 50, 10], gpus: { H100: 2, A100: 1 }, spotShare: 0.3 }\n  - { name: serve, demand: [5, 9, 9, 3], gpus: { L4: 0.3, A10G: 0.4, H100: 1.8 }, regions: [us-east-1, us-central1] }\nreserved:\n  - { offering: lambda/us-east-1/gpu_8x_h100_sxm5, usdPerHour: 19.2, maxInstances: 2 }\nspot: { availability: 0.9 }\n');
    const r = await runPenny(['plan', s, '--json', '--gap', '0.000001', '--no-explain']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const stable = { plan: j.plan, totalUsd: j.totalUsd, costByPriceModel: j.costByPriceModel, baselines: j.baselines, savings: j.savings };
    const golden = join(repoRoot, 'test', 'golden', 'plan-small.json');
    if (process.env.UPDATE_GOLDEN || !existsSync(golden)) writeFileSync(golden, JSON.stringify(stable, null, 2) + '\n');
    expect(stable).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
  });
});
