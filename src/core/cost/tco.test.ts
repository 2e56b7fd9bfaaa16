import { describe, expect, it } from 'vitest';
import { computeTco, costReportToJson, CATEGORIES } from './tco.js';
import { scenarioSchema, type ScenarioInput } from '../model/scenario.js';
import { dec, sum } from '../money.js';

const scenario = (s: Partial<ScenarioInput> & { resources: ScenarioInput['resources'] }) => scenarioSchema.parse(s);

describe('TCO model: the worked examples of the source documents', () => {
  it('LP example: 100 servers, storage, bandwidth, tools and data cost 130,000', () => {
    const r = computeTco(
      scenario({
        capex: 'expense',
        resources: [
          { name: 'servers', kind: 'server', count: 100, purchasePrice: 1000 },
          { name: 'storage', kind: 'storage', capacityTb: 100, purchasePricePerTb: 100 },
          { name: 'bandwidth', kind: 'network', bandwidthGbps: 100, pricePerGbps: 50 },
          { name: 'tools', kind: 'software', licence: 'per-seat', seats: 50, purchasePrice: 100 },
          { name: 'data', kind: 'data', quantityTb: 50, pricePerTb: 200 },
        ],
      }),
    );
    expect(r.total.toFixed()).toBe('130000');
    expect(r.byResource.map((x) => x.total.toFixed())).toEqual(['100000', '10000', '5000', '5000', '10000']);
    expect(r.byCategory.hardware.toFixed()).toBe('110000');
    expect(r.byCategory.software.toFixed()).toBe('5000');
    expect(r.byCategory.data.toFixed()).toBe('10000');
    expect(r.byCategory.operations.toFixed()).toBe('5000');
  });

  const energyNodes = {
    name: 'nodes',
    kind: 'server' as const,
    count: 10,
    purchasePrice: 5000,
    lifetimeYears: 5,
    maintenancePerYear: 2000,
    powerW: 500,
    usage: { hoursPerDay: 8, days: 365 },
  };
  const energy = (capex: 'amortise' | 'expense') =>
    computeTco(scenario({ currency: 'CNY', period: { days: 365 }, capex, electricity: { pricePerKwh: 1, pue: 1 }, resources: [energyNodes] }));

  it('energy example, hardware expensed: 50,000 + 14,600 kWh × ¥1 + 20,000 = ¥84,600', () => {
    const r = energy('expense');
    expect(r.currency).toBe('CNY');
    expect(r.byComponent.capex.toFixed()).toBe('50000');
    expect(r.energyKwh.toFixed()).toBe('14600');
    expect(r.byComponent.energy.toFixed()).toBe('14600');
    expect(r.byComponent.maintenance.toFixed()).toBe('20000');
    expect(r.total.toFixed()).toBe('84600');
  });

  it('energy example, 5-year straight line: the year carries ¥10,000 of hardware, ¥44,600 in all', () => {
    const r = energy('amortise');
    expect(r.byCategory.hardware.toFixed()).toBe('10000');
    expect(r.total.toFixed()).toBe('44600');
    expect(computeTco(scenario({ currency: 'CNY', period: { days: 365 }, electricity: { pricePerKwh: 1 }, resources: [energyNodes] }), { capex: 'expense' }).total.toFixed()).toBe('84600');
  });

  it('utilisation example: $10/day at 80% busy is $8 of work and $2 idle; R = 100 / $20 = 5', () => {
    const r = computeTco(
      scenario({
        period: { days: 1 },
        resources: [
          { name: 'cpu', kind: 'instance', pricePerDay: 10, usage: { utilisation: 0.8 } },
          { name: 'task', kind: 'instance', pricePerDay: 20, throughput: { value: 100, unit: 'tasks' } },
        ],
      }),
    );
    const [cpu, task] = r.byResource;
    expect(cpu!.total.toFixed()).toBe('10');
    expect(cpu!.busyCost!.toFixed()).toBe('8');
    expect(cpu!.idleCost!.toFixed()).toBe('2');
    expect(task!.perfCostRatio!.toFixed()).toBe('5');
  });
});

describe('TCO model: properties', () => {
  const demo = scenario({
    currency: 'EUR',
    period: { months: 3 },
    electricity: { pricePerKwh: '0.2137', pue: 1.3 },
    resources: [
      { name: 'a', kind: 'gpu', count: 3, purchasePrice: '31999.99', lifetimeYears: 3, powerW: 700, idlePowerW: 90, gpus: 1, usage: { utilisation: 0.37 } },
      { name: 'b', kind: 'instance', pricePerHour: '3.0700001', count: 7, gpus: 8, usage: { hoursPerDay: 13.5, days: 77, busyHours: 500 } },
      { name: 'c', kind: 'storage', capacityTb: '12.5', pricePerTbMonth: '20.48' },
      { name: 'd', kind: 'network', egressGb: 123456, pricePerGb: '0.087' },
      { name: 'e', kind: 'software', licence: 'per-node', nodes: 3, pricePerYear: 1000 },
      { name: 'f', kind: 'staff', count: 2, yearlyCost: 150000 },
      { name: 'g', kind: 'data', items: 33333, pricePerItem: '0.031' },
    ],
  });
  const r = computeTco(demo);

  it('every breakdown adds up to the total exactly', () => {
    expect(sum(CATEGORIES.map((c) => r.byCategory[c])).eq(r.total)).toBe(true);
    expect(sum(r.byResource.map((x) => x.total)).eq(r.total)).toBe(true);
    expect(sum(r.lines.map((l) => l.amount)).eq(r.total)).toBe(true);
    for (const x of r.byResource) if (x.busyCost) expect(x.busyCost.plus(x.idleCost!).eq(x.total)).toBe(true);
  });

  it('JSON keeps money as exact decimal strings', () => {
    const j = costReportToJson(r);
    expect(typeof j.total).toBe('string');
    expect(dec(j.total).eq(r.total)).toBe(true);
    expect(j.byResource[1]!.total).toBe(dec('3.0700001').times(7).times(dec('13.5').times(77)).toFixed());
  });

  it('cost per useful GPU-hour divides by GPU-hours × U', () => {
    const b = r.byResource[1]!;
    expect(b.gpuHours!.toFixed()).toBe(dec('13.5').times(77).times(56).toFixed());
    expect(b.costPerUsefulGpuHour!.eq(b.total.div(b.gpuHours!.times(b.utilisation!)))).toBe(true);
  });

  it('is independent of resource order', () => {
    const shuffled = scenario({ ...demo, period: { months: 3 }, resources: [...demo.resources].reverse() as never });
    expect(computeTco(shuffled).total.eq(r.total)).toBe(true);
  });

  it('idle power: a machine at 37% draws busy power 37% of the time and idle power the rest', () => {
    const a = r.byResource[0]!;
    const hours = dec(8760).div(4);
    const expected = hours.times('0.37').times(700).plus(hours.times('0.63').times(90)).times(3).div(1000).times('1.3');
    expect(a.energyKwh!.eq(expected)).toBe(true);
  });

  it('amortisation never charges more than the purchase price', () => {
    const long = computeTco(scenario({ period: { years: 10 }, resources: [{ name: 'x', kind: 'server', purchasePrice: 100, lifetimeYears: 2 }] }));
    expect(long.total.toFixed()).toBe('100');
  });
});
