import { describe, expect, it } from 'vitest';
import { HighsSolver } from '../adapters/solver/highs.js';
import { readSpotTrace } from '../adapters/importers/spot-trace.js';
import { readServingTrace } from '../adapters/importers/serving-trace.js';
import { builtinCatalog } from '../core/catalog/builtin.js';
import { Infeasible } from '../core/errors.js';
import { seededRng } from '../core/rng.js';
import { deriveProfile } from '../core/serving/replica.js';
import { syntheticWorkload } from '../core/serving/workload.js';
import { sharedFile } from '../../test/shared-data.js';
import { replicaPrice, runServing, servingToJson, zoneRegion, zoneSpotPrices } from './serving.js';
import { Decimal } from '../core/money.js';
import type { Offering } from '../core/catalog/offering.js';

const profile = deriveProfile('llama-3-8b', 'A100');
const price = replicaPrice(builtinCatalog(), profile, 'aws')!;
const spot = { name: 't', gapS: 600, available: [1, 1, 1, 0, 1, 1, 1, 1, 1, 1] };

describe('spot prices per zone', () => {
  it('names a zone\'s region as the spot traces name zones (AWS and GCP)', () => {
    expect(zoneRegion('us-west-2a_v100_1')).toBe('us-west-2');
    expect(zoneRegion('eu-central-1b')).toBe('eu-central-1');
    expect(zoneRegion('us-central1-a')).toBe('us-central1');
    expect(zoneRegion('zone-1')).toBeUndefined();
  });

  it('prices each zone: given, else the price for all, else the catalog in its region, else the default (undefined)', () => {
    const offer = (region: string, spot: string): Offering => ({ id: `aws/${region}/p4d`, provider: 'aws', region, instanceType: 'p4d.24xlarge', gpu: 'A100', gpuCount: 8, onDemandUsdPerHour: new Decimal('32'), spotUsdPerHour: new Decimal(spot) }) as Offering;
    const offerings = [offer('us-east-1', '2.4'), offer('us-west-2', '8')];
    const two = { ...profile, gpusPerReplica: 2 };
    const z = (name: string) => ({ name, gapS: 60, available: [1] });
    const zones = [z('us-east-1a_v100_1'), z('us-west-2b_v100_1'), z('us-west-2c'), z('ap-south-1a'), z('mine')];
    const r = zoneSpotPrices(offerings, two, zones, [undefined, undefined, new Decimal('0.5'), undefined, undefined], undefined);
    // 2 GPUs × (the region's instance spot price / 8 GPUs): us-east-1 $0.60, us-west-2 $2.00; us-west-2c as given.
    expect(r.prices.map((x) => x?.toString())).toEqual(['0.6', '2', '0.5', undefined, undefined]);
    expect(r.sources[3]).toMatch(/no catalog spot price in ap-south-1/);
    // A price for all zones overrides the catalog, not a zone's own.
    const all = zoneSpotPrices(offerings, two, zones, [undefined, undefined, new Decimal('0.5'), undefined, undefined], new Decimal('1'));
    expect(all.prices.map((x) => x?.toString())).toEqual([undefined, undefined, '0.5', undefined, undefined]);
  });
});

describe('runServing', () => {
  it('prices a replica from the catalog: the cheapest per-GPU share × GPUs', () => {
    // p4d.24xlarge: $21.95764/h over 8 GPUs (us-east-2, a millionth of a dollar below us-east-1's
    // $21.957642), spot $2.4655/h (us-east-1's cheapest zone).
    expect(price.onDemandUsdPerHour.toString()).toBe('2.744705');
    expect(price.spotUsdPerHour!.toString()).toBe('0.3081875');
  });

  it('compares every balancer × autoscaler with the baseline, and the plan meets the SLO in simulation', async () => {
    const w = syntheticWorkload(seededRng(4), { durationS: 5400, ratePerS: (t) => 6 + 5 * Math.sin((2 * Math.PI * t) / 5400), context: [200, 3000], generated: [10, 200] });
    const o = await runServing({ workload: w, profile, price, slo: { ttftS: 2, attainment: 0.99 }, intervalS: 60, spot, solver: new HighsSolver(), seed: 3 });
    expect(o.results.length).toBe(16);
    const base = o.results[o.baseline]!;
    expect(base.autoscaler).toBe('fixed-peak');
    expect(base.sloMet).toBe(true);
    for (const r of o.results) expect(r.served + r.dropped.total).toBe(w.arrivalS.length);
    expect(o.plan!.result.sloMet).toBe(true);
    // The plan pays for less than the fixed-for-peak fleet.
    expect(o.plan!.result.cost.total.lt(base.cost.total)).toBe(true);
    const json = servingToJson(o);
    expect(json.results[0]!.costUsd.total).toMatch(/^\d+\.\d{6}$/);
  }, 180_000);

  it('explains an SLO no replica can meet', async () => {
    const w = syntheticWorkload(seededRng(4), { durationS: 600, ratePerS: 1, context: [20_000, 20_000], generated: [10, 10] });
    await expect(runServing({ workload: w, profile, price, slo: { ttftS: 1, attainment: 0.99 }, intervalS: 60 })).rejects.toThrow(Infeasible);
  });

  const azure = sharedFile('azure-llm-2023/AzureLLMInferenceTrace_code.csv');
  const spotFile = sharedFile('spot-traces/availability/1-node/aws-02-15-2023/us-west-2a_v100_1.json');
  it.skipIf(!azure || !spotFile)('on the real Azure code trace: spot-mix and the plan cost less than fixed-for-peak on-demand, all within the SLO', async () => {
    const { workload } = await readServingTrace(azure!);
    const trace = await readSpotTrace(spotFile!);
    const o = await runServing({ workload, profile, price, slo: { ttftS: 2, attainment: 0.99 }, intervalS: 60, spot: trace, spotOffsetS: 7800, solver: new HighsSolver(), seed: 1 });
    const base = o.results[o.baseline]!;
    const mix = o.results.find((r) => r.autoscaler === 'spot-mix' && r.balancer === 'least-outstanding')!;
    console.log(JSON.stringify({ base: base.cost.total, mix: mix.cost.total, mixSlo: mix.sloAttainment, plan: o.plan!.result.cost.total, planSlo: o.plan!.result.sloAttainment, planGpu: o.plan!.profile.gpu, rows: o.results.map((r) => [r.autoscaler, r.balancer, r.cost.total.toFixed(2), r.sloAttainment.toFixed(4), r.ttftS.p99.toFixed(2), r.preemptions]) }));
    expect(workload.arrivalS.length).toBe(8819);
    expect(base.sloMet).toBe(true);
        expect(mix.cost.total.lt(base.cost.total)).toBe(true);
    // With the base on-demand replicas its search found, spot meets the SLO too.
    expect(mix.sloMet).toBe(true);
    expect(o.floors['spot-mix base on-demand']).toBeGreaterThan(0);
    expect(o.plan!.result.sloMet).toBe(true);
    expect(o.plan!.result.cost.total.lt(base.cost.total)).toBe(true);
  }, 120_000);
});
