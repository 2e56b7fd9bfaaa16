import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../core/errors.js';
import { periodAvailability } from '../../core/planner/spot.js';
import { sharedFile } from '../../../test/shared-data.js';
import { loadPlanScenario } from './plan-scenario.js';
import { planCapacity } from '../../app/plan.js';
import { planToJson } from '../../app/plan-json.js';
import { HighsSolver } from '../solver/highs.js';
import { readSpotTrace } from './spot-trace.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-plan-scenario-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('plan scenario', () => {
  it('reads demand from a CSV column, a forecast quantile and inline values, and attaches reserved offers, quotas and traces', async () => {
    write('d.csv', 'timestamp,train\n2026-03-02T02:00:00Z,30\n2026-03-02T00:00:00Z,10\n2026-03-02T01:00:00Z,20\n');
    write('f.json', JSON.stringify({ model: 'ets', interval: '1h', unit: 'A100-hours', metrics: { mape: 0.1 }, points: [0, 1, 2].map((i) => ({ t: `2026-03-02T0${i}:00:00Z`, p10: i, p50: i + 1, p90: i + 2 })) }));
    write('trace.json', JSON.stringify({ metadata: { gap_seconds: 1800 }, data: [1, 0, 1, 1] }));
    const s = write(
      's.yaml',
      `catalogs: [builtin]\nclasses:\n  - { name: train, demand: { csv: d.csv, column: train }, gpus: { h100: 2 } }\n  - { name: serve, demand: { forecast: f.json, quantile: p90 }, gpus: { L4: 0.3 } }\n  - { name: eval, demand: [1, 2, 3], gpus: { A100: 1 } }\nreserved:\n  - { offering: lambda/us-east-1/gpu_8x_h100_sxm5, usdPerHour: 19.2, maxInstances: 2 }\nquotas:\n  offerings: { aws/us-east-1/p5.48xlarge: 2 }\n  groups: [{ provider: aws, region: us-east-1, maxGpus: 16 }]\nspot:\n  traces: [{ match: nebius, file: trace.json }]\n`,
    );
    const { inputs } = await loadPlanScenario(s);
    expect(inputs.periods).toBe(3);
    expect(inputs.classes.map((c) => c.demand)).toEqual([
      [10, 20, 30],
      [2, 3, 4],
      [1, 2, 3],
    ]);
    expect(inputs.classes[0]!.throughput).toEqual({ H100: 2 });
    const lambda = inputs.offerings.find((o) => o.id === 'lambda/us-east-1/gpu_8x_h100_sxm5')!;
    expect(lambda.reservedUsdPerHour!.toString()).toBe('19.2');
    expect(lambda.reservedMaxInstances).toBe(2);
    expect(inputs.offeringQuota).toEqual({ 'aws/us-east-1/p5.48xlarge': 2 });
    expect(inputs.spot.byOffering['nebius/eu-north1/gpu-h100-sxm_8gpu-128vcpu-1600gb']).toEqual([0.5, 1, 0.5]);
    // The same trace read as preemptions (1 = preempted): available where it was 0.
    const pre = write('pre.yaml', readFileSync(s, 'utf8').replace('{ match: nebius, file: trace.json }', '{ match: nebius, file: trace.json, values: preempted }'));
    const { inputs: inv } = await loadPlanScenario(pre);
    expect(inv.spot.byOffering['nebius/eu-north1/gpu-h100-sxm_8gpu-128vcpu-1600gb']).toEqual([0.5, 0, 0.5]);
  });

  it('names unknown offering ids with their line', async () => {
    const s = write('u.yaml', 'classes:\n  - { name: x, demand: [1], gpus: { H100: 1 } }\nreserved:\n  - offering: aws/us-east-1/p9.huge\n    usdPerHour: 1\n');
    const e = (await loadPlanScenario(s).catch((x: unknown) => x)) as InvalidInput;
    expect(e).toBeInstanceOf(InvalidInput);
    expect(e.issues[0]).toMatchObject({ line: 4, path: 'reserved[0].offering' });
  });

  it('reads 1- and 3-year commitments, named by term and payment, and refuses an upfront that does not match the payment, with its line', async () => {
    const ok = write('c.yaml', 'classes:\n  - { name: x, demand: [1], gpus: { H100: 1 } }\ncommitments:\n  - { offering: aws/us-east-1/p5.48xlarge, termYears: 1, payment: partial, upfrontUsd: 150000, usdPerHour: 30, maxInstances: 4 }\n  - { offering: aws/us-east-1/p5.48xlarge, termYears: 3, payment: all, upfrontUsd: 700000 }\n');
    const { inputs } = await loadPlanScenario(ok);
    const p5 = inputs.offerings.find((o) => o.id === 'aws/us-east-1/p5.48xlarge')!;
    expect(p5.commitments!.map((c) => `${c.name}: ${c.upfrontUsd} + ${c.usdPerHour}/h ≤ ${c.maxInstances ?? '∞'}`)).toEqual(['1-year reservation, partial upfront: 150000 + 30/h ≤ 4', '3-year reservation, all upfront: 700000 + 0/h ≤ ∞']);
    const bad = write('cb.yaml', 'classes:\n  - { name: x, demand: [1], gpus: { H100: 1 } }\ncommitments:\n  - offering: aws/us-east-1/p5.48xlarge\n    termYears: 2\n    payment: none\n    upfrontUsd: 1000\n    usdPerHour: 30\n');
    const e = (await loadPlanScenario(bad).catch((x: unknown) => x)) as InvalidInput;
    expect(e).toBeInstanceOf(InvalidInput);
    const byPath = Object.fromEntries(e.issues.map((i) => [i.path, i]));
    expect(byPath['commitments[0].termYears']).toMatchObject({ line: 5 });
    expect(byPath['commitments[0].upfrontUsd']?.message).toMatch(/payment none has no upfront/);
  });

  it('refuses demand and throughput the solver cannot hold (10^20 is its infinity: the solve failed as an internal error), naming the field', async () => {
    const refused = async (name: string, text: string) => {
      const e = (await loadPlanScenario(write(name, text)).catch((x: unknown) => x)) as InvalidInput;
      expect(e, name).toBeInstanceOf(InvalidInput);
      return e.issues;
    };
    expect(await refused('d.yaml', 'classes:\n  - name: x\n    demand: [1, 1e30]\n    gpus: { H100: 1 }\n')).toEqual([expect.objectContaining({ path: 'classes[0].demand', line: 3, message: expect.stringMatching(/period 1: 1e\+30 work units; at most 10\^15/) })]);
    write('big.csv', 'timestamp,x\n2026-01-01T00:00:00Z,4\n2026-01-01T01:00:00Z,2e16\n');
    expect((await refused('dc.yaml', 'classes:\n  - { name: x, demand: { csv: big.csv, column: x }, gpus: { H100: 1 } }\n'))[0]).toMatchObject({ path: 'classes[0].demand', line: 2 });
    expect((await refused('g.yaml', 'classes:\n  - name: x\n    demand: [1]\n    gpus: { H100: 1e25 }\n'))[0]).toMatchObject({ path: 'classes[0].gpus.H100', line: 4 });
    // 10^15 itself is a demand the solver holds.
    const { inputs } = await loadPlanScenario(write('ok.yaml', 'classes:\n  - { name: x, demand: [1e15], gpus: { H100: 1000000 } }\n'));
    expect(inputs.classes[0]!.demand).toEqual([1e15]);
  });

  it('refuses negative demand in a CSV with the line', async () => {
    write('neg.csv', 'timestamp,x\n2026-01-01T00:00:00Z,-4\n');
    const s = write('n.yaml', 'classes:\n  - { name: x, demand: { csv: neg.csv, column: x }, gpus: { H100: 1 } }\n');
    const e = (await loadPlanScenario(s).catch((x: unknown) => x)) as InvalidInput;
    expect(e.issues[0]).toMatchObject({ line: 2, path: 'x' });
  });
});

describe('spot availability per period', () => {
  it('is the share of each period the trace was up, replayed past its end', () => {
    const tr = { name: 't', gapS: 1800, available: [1, 0, 1, 1] };
    expect(periodAvailability(tr, 4, 1)).toEqual([0.5, 1, 0.5, 1]);
    expect(periodAvailability(tr, 1, 2)).toEqual([0.75]);
    expect(periodAvailability(tr, 1, 1, 1800)).toEqual([0.5]);
  });

  it('reads a real SkyPilot trace', async () => {
    const p = sharedFile('spot-traces/availability/1-node/aws-02-15-2023/us-east-1a_v100_1.json');
    if (!p) return;
    const a = periodAvailability(await readSpotTrace(p), 168, 1);
    expect(a).toHaveLength(168);
    expect(a.every((x) => x >= 0 && x <= 1)).toBe(true);
  });
});

describe('catalogs in another currency than USD', () => {
  const eurCat = () => write('eur.yaml', 'currency: EUR\nofferings:\n  - { provider: ovh, region: gra, instanceType: h100x1, gpu: H100, gpus: 1, onDemandUsdPerHour: 2.76, spotUsdPerHour: 0.92 }\n');
  const csv = () => write('gbp-vms.csv', 'InstanceType,AcceleratorName,AcceleratorCount,Price,SpotPrice,Region\nh100x1,H100,1,2.00,,uk1\n');

  it('converts a YAML catalog that says EUR, and a CSV the scenario says is GBP, with the scenario rates, exactly', async () => {
    write('eur-plan.yaml', `currency: EUR\nexchangeRates: { USD: 0.92, GBP: 1.15 }\ncatalogs: [eur.yaml, { path: gbp-vms.csv, currency: GBP }]\nclasses:\n  - { name: t, demand: [2], gpus: { H100: 1 } }\n`);
    eurCat();
    csv();
    const { inputs, currency, catalogs } = await loadPlanScenario(join(dir, 'eur-plan.yaml'));
    const ovh = inputs.offerings.find((o) => o.provider === 'ovh')!;
    // €2.76 at 0.92 EUR per USD = $3; €0.92 = $1; £2.00 at 1.15 EUR per GBP = €2.30 = $2.50.
    expect([ovh.onDemandUsdPerHour!.toFixed(), ovh.spotUsdPerHour!.toFixed()]).toEqual(['3', '1']);
    expect(inputs.offerings.find((o) => o.region === 'uk1')!.onDemandUsdPerHour!.toFixed()).toBe('2.5');
    expect(ovh.source).toMatch(/prices in EUR/);
    expect(catalogs).toEqual(['eur.yaml', 'gbp-vms.csv']);
    expect(currency.perUsd.toFixed()).toBe('0.92');
    // Planned: two of the £2.00 instance for an hour, $5.00, reported as €4.60 to the cent and beyond.
    const r = await planCapacity(inputs, new HighsSolver(), { explain: false });
    const j = planToJson(r, catalogs, currency) as { totalUsd: string; inCurrency: { total: string } };
    expect([j.totalUsd, j.inCurrency.total]).toEqual(['5', '4.6']);
  });

  it('a USD plan with a EUR catalog needs exchangeRates.EUR, pointed at the catalog entry; a currency the file contradicts is refused', async () => {
    eurCat();
    const s = write('usd-plan.yaml', 'catalogs:\n  - eur.yaml\nclasses:\n  - { name: t, demand: [2], gpus: { H100: 1 } }\n');
    const e = (await loadPlanScenario(s).catch((x: unknown) => x)) as InvalidInput;
    expect(e).toBeInstanceOf(InvalidInput);
    expect(e.issues[0]).toMatchObject({ line: 2, path: 'catalogs[0]' });
    expect(e.issues[0]!.message).toMatch(/prices in EUR need exchangeRates: \{ EUR: <USD per EUR> \}/);
    const ok = write('usd-plan2.yaml', 'exchangeRates: { EUR: 1.08 }\ncatalogs: [eur.yaml]\nclasses:\n  - { name: t, demand: [2], gpus: { H100: 1 } }\n');
    expect((await loadPlanScenario(ok)).inputs.offerings[0]!.onDemandUsdPerHour!.toFixed()).toBe('2.9808');
    const clash = write('clash.yaml', 'exchangeRates: { EUR: 1.08, GBP: 1.25 }\ncatalogs:\n  - { path: eur.yaml, currency: GBP }\nclasses:\n  - { name: t, demand: [2], gpus: { H100: 1 } }\n');
    const c = (await loadPlanScenario(clash).catch((x: unknown) => x)) as InvalidInput;
    expect(c.issues[0]).toMatchObject({ line: 3, path: 'catalogs[0].currency' });
    expect(c.issues[0]!.message).toMatch(/says its prices are in EUR, not GBP/);
    // --catalog-currency: the override for --catalog files that do not say.
    const o = await loadPlanScenario(ok, { catalogs: [csv()], catalogCurrency: 'EUR' });
    expect(o.inputs.offerings[0]!.onDemandUsdPerHour!.toFixed()).toBe('2.16');
  });
});
