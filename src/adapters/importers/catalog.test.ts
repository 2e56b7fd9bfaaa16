import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../core/errors.js';
import { normaliseGpu } from '../../core/catalog/offering.js';
import { cheapest, compatible, orderByPrice } from '../../core/catalog/query.js';
import { builtinCatalog, builtinCatalogDates } from '../../core/catalog/builtin.js';
import { sharedFile } from '../../../test/shared-data.js';
import { readCatalog } from './catalog-source.js';
import { parseCatalogYaml } from './catalog-yaml.js';
import { readFsdlCatalog } from './fsdl-catalog.js';
import { readSkypilotCatalog } from './skypilot-catalog.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-catalog-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('SkyPilot vms.csv', () => {
  it('reads columns by name in any order, CRLF line ends, and skips CPU-only rows', async () => {
    const p = file(
      'aws-vms.csv',
      ['Region,InstanceType,Price,SpotPrice,AcceleratorCount,AcceleratorName,vCPUs,MemoryGiB', 'us-east-1,p4d.24xlarge,32.7726,9.83,8,A100,96,1152', 'us-east-1,m5.large,0.096,,0,,2,8', 'us-west-2,p4d.24xlarge,32.7726,,8,A100,96,1152', 'us-east-1,p4d.24xlarge,32.80,9.70,8,A100,96,1152'].join('\r\n') + '\r\n',
    );
    const r = await readSkypilotCatalog(p, 'aws');
    expect(r.skipped).toBe(1);
    expect(r.offerings.map((o) => o.id).sort()).toEqual(['aws/us-east-1/p4d.24xlarge', 'aws/us-west-2/p4d.24xlarge']);
    const east = r.offerings.find((o) => o.region === 'us-east-1')!;
    // Repeated per zone: the cheapest price of each kind is kept.
    expect(east.onDemandUsdPerHour!.toString()).toBe('32.7726');
    expect(east.spotUsdPerHour!.toString()).toBe('9.7');
    expect(east.gpuCount).toBe(8);
    expect(r.offerings.find((o) => o.region === 'us-west-2')!.spotUsdPerHour).toBeUndefined();
  });

  it('GCP: joins a GPU row to the machine it fixes, zone by zone (VM + GPU price), and skips GPUs of a machine of your choice', async () => {
    // The layout of SkyPilot's catalogs/v8/gcp/vms.csv: machines without an accelerator, GPUs without a machine.
    const p = file(
      'gcp-vms.csv',
      [
        'InstanceType,vCPUs,MemoryGiB,AcceleratorName,AcceleratorCount,GpuInfo,Region,AvailabilityZone,Price,SpotPrice',
        'a2-highgpu-8g,96.0,680.0,,,,us-central1,us-central1-a,5.91582,2.958',
        'a2-highgpu-8g,96.0,680.0,,,,us-central1,us-central1-b,5.91582,2.958',
        'n1-standard-8,8.0,30.0,,,,us-central1,us-central1-a,0.38,0.08',
        ',,,A100,8,A100,us-central1,us-central1-a,23.47,7.0',
        ',,,A100,8,A100,us-central1,us-central1-b,23.47,',
        ',,,A100,8,A100,us-central1,us-central1-c,23.47,7.0',
        ',,,T4,1,T4,us-central1,us-central1-a,0.35,0.14',
        ',,,tpu-v6e-1,1,tpu-v6e-1,us-central1,us-central1-a,2.7,0.54421',
      ].join('\n') + '\n',
    );
    const r = await readSkypilotCatalog(p, 'gcp');
    expect(r.offerings.map((o) => o.id)).toEqual(['gcp/us-central1/a2-highgpu-8g']);
    const a2 = r.offerings[0]!;
    // us-central1-a and -b: 5.91582 + 23.47; spot only in -a (2.958 + 7.0); -c has no a2 machine.
    expect([a2.onDemandUsdPerHour!.toFixed(), a2.spotUsdPerHour!.toFixed(), a2.gpu, a2.gpuCount, a2.vcpus]).toEqual(['29.38582', '9.958', 'A100', 8, 96]);
    // Skipped: the machine-less A100 row in -c, the T4 (n1 host of your choice), the TPU; machines are not counted.
    expect(r.skipped).toBe(3);
  });

  it('refuses a NaN or negative price with file, line and column', async () => {
    const p = file('bad-vms.csv', 'InstanceType,AcceleratorName,AcceleratorCount,Price,Region,SpotPrice\ng5.xlarge,A10G,1,NaN,us-east-1,\ng5.2xlarge,A10G,1,-1.2,us-east-1,\n');
    const e = (await readSkypilotCatalog(p, 'aws').catch((x: unknown) => x)) as InvalidInput;
    expect(e).toBeInstanceOf(InvalidInput);
    expect(e.issues.map((i) => [i.line, i.path])).toEqual([
      [2, 'Price'],
      [3, 'Price'],
    ]);
    expect(e.issues[1]!.message).toMatch(/cannot be negative/);
  });

  it('reads the real Nebius catalog', async () => {
    const p = sharedFile('prices/skypilot-v8-nebius-vms.csv');
    if (!p) return;
    const r = await readSkypilotCatalog(p);
    const h100 = r.offerings.filter((o) => o.gpu === 'H100');
    expect(h100.length).toBeGreaterThan(0);
    expect(h100.every((o) => o.provider === 'nebius')).toBe(true);
    expect(cheapest(h100)!.onDemandUsdPerHour!.div(cheapest(h100)!.gpuCount).toString()).toBe('2.95');
  });
});

describe('FSDL cloud-gpus.csv', () => {
  it('normalises GPU names, takes the low end of ranges and names unnamed rows', async () => {
    const p = file('gpus.csv', 'Cloud,GPU Type,GPU Arch,GPUs,GPU RAM,vCPUs,RAM,On-demand,Per-GPU,Spot,Name\nAWS,A100 (80 GB),Ampere,8,640,96,1152,40.97,5.12,,p4de.24xlarge\nDataoorts,H100 (80 GB),Hopper,1,80,20-26,150-200,0.69,0.69,,\nNovoNimbus,H100 HGX (80GB),Hopper,2,160,24,250,9.56,4.78,,\n');
    const r = await readFsdlCatalog(p);
    expect(r.offerings.map((o) => [o.id, o.gpu, o.gpuCount, o.vcpus])).toEqual([
      ['aws/default/p4de.24xlarge', 'A100-80GB', 8, 96],
      ['dataoorts/default/H100x1', 'H100', 1, 20],
      ['novonimbus/default/H100x2', 'H100', 2, 24],
    ]);
  });

  it('reads the real table', async () => {
    const p = sharedFile('prices/fsdl-cloud-gpus-latest.csv');
    if (!p) return;
    const all = await readCatalog(p);
    expect(all.length).toBeGreaterThan(200);
    expect(compatible(all, { gpu: ['H100'] }).length).toBeGreaterThan(10);
  });
});

describe('Penny catalog YAML', () => {
  it('reads offerings and on-prem pools with their marginal energy cost', () => {
    const offers = parseCatalogYaml('offerings:\n  - { provider: coreweave, region: us-east, instanceType: hgx, gpu: H100, gpus: 8, onDemandUsdPerHour: 49.24, reservedUsdPerHour: 30 }\nonPrem:\n  - { name: dc1, gpu: A100, gpusPerServer: 8, servers: 4, powerW: 6500, pue: 1.4, energyUsdPerKwh: 0.12, capexUsd: 480000 }\n', 'c.yaml');
    expect(offers[1]!.onPrem!.marginalUsdPerHour.toString()).toBe('1.092');
    expect(offers[1]!.onPrem!.installed).toBe(4);
    expect(offers[0]!.reservedUsdPerHour!.toString()).toBe('30');
  });

  it('refuses a negative price with the line and field', () => {
    const e = (() => {
      try {
        parseCatalogYaml('offerings:\n  - provider: x\n    instanceType: y\n    gpu: H100\n    gpus: 1\n    onDemandUsdPerHour: -3\n', 'neg.yaml');
      } catch (x) {
        return x as InvalidInput;
      }
    })()!;
    expect(e).toBeInstanceOf(InvalidInput);
    expect(e.issues[0]).toMatchObject({ file: 'neg.yaml', line: 6, path: 'offerings[0].onDemandUsdPerHour' });
  });
});

describe('built-in catalog and queries', () => {
  it('is dated, priced and sorted cheapest first', () => {
    for (const d of builtinCatalogDates()) expect(d.asOf).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
    const h100 = orderByPrice(compatible(builtinCatalog(), { gpu: ['h100'] }), 'on-demand', 'price-per-gpu');
    expect(h100.length).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < h100.length; i++) expect(h100[i]!.onDemandUsdPerHour!.div(h100[i]!.gpuCount).gte(h100[i - 1]!.onDemandUsdPerHour!.div(h100[i - 1]!.gpuCount))).toBe(true);
    expect(compatible(builtinCatalog(), { minGpus: 8, spot: true }).every((o) => o.gpuCount >= 8 && o.spotUsdPerHour)).toBe(true);
  });

  it('normalises GPU names from every source to one vocabulary', () => {
    expect(['H100 (80 GB)', 'H100 HGX (80GB)', 'H100 PCIe (80GB)', 'NVIDIA H100'].map(normaliseGpu)).toEqual(['H100', 'H100', 'H100', 'H100']);
    expect(normaliseGpu('A100 (80 GB)')).toBe('A100-80GB');
    expect(normaliseGpu('V100 (32 GB)')).toBe('V100-32GB');
    expect(normaliseGpu('RTX A6000 (48 GB)')).toBe('A6000');
  });
});
