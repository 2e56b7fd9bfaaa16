/**
 * SkyPilot catalog `vms.csv` (v7/v8) → Offerings. Columns are read by name (their order differs
 * by cloud); CRLF, BOM and gzip are handled by readCsv. The file has no cloud column: the provider
 * comes from the caller, or from the path (`…/<cloud>/vms.csv` or `skypilot-v8-<cloud>-vms.csv`).
 * Rows without an accelerator, or with a fractional one, are skipped and counted. A row repeated
 * per availability zone keeps its cheapest price.
 *
 * GCP lists GPUs apart from the machines they run on: accelerator rows with no InstanceType (the
 * GPUs' price) and machine rows with no accelerator (the VM's price). Where the GPU fixes its
 * machine, as SkyPilot's GCP catalog pairs them (A100 → a2-highgpu-Ng, A100-80GB → a2-ultragpu-Ng,
 * H100 → a3-highgpu-Ng, H200 → a3-ultragpu-8g, B200 → a4-highgpu-8g, L4 → g2-standard-N), the
 * offering is that machine at VM + GPU price, zone by zone (spot likewise, where both have one).
 * GPUs that attach to a general machine of the user's choice (T4, V100, P100, P4 on n1) and TPUs
 * are skipped and counted: their price depends on a VM Penny cannot choose. A row with no
 * InstanceType is never an offering of its own.
 */
import { basename, dirname } from 'node:path';
import { InvalidInput, type Issue } from '../../core/errors.js';
import type { Decimal } from '../../core/money.js';
import { normaliseGpu, offeringId, type Offering } from '../../core/catalog/offering.js';
import { readCsv } from './csv.js';
import { numberCell, priceCell, requireColumns } from './catalog-cells.js';

export interface CatalogImport {
  offerings: Offering[];
  skipped: number;
}

export function providerFromPath(path: string): string {
  const m = /skypilot-v\d+-(.+?)-vms\.csv(\.gz)?$/i.exec(basename(path));
  if (m) return m[1]!.toLowerCase();
  return basename(dirname(path)).toLowerCase();
}

/** GCP: the machines a GPU type and count run on (SkyPilot's pairing); the first listed with a price in the zone is used, each listed one an offering. */
export const GCP_GPU_HOSTS: Record<string, Record<number, string[]>> = {
  A100: { 1: ['a2-highgpu-1g'], 2: ['a2-highgpu-2g'], 4: ['a2-highgpu-4g'], 8: ['a2-highgpu-8g'], 16: ['a2-megagpu-16g'] },
  'A100-80GB': { 1: ['a2-ultragpu-1g'], 2: ['a2-ultragpu-2g'], 4: ['a2-ultragpu-4g'], 8: ['a2-ultragpu-8g'] },
  H100: { 1: ['a3-highgpu-1g'], 2: ['a3-highgpu-2g'], 4: ['a3-highgpu-4g'], 8: ['a3-highgpu-8g'] },
  'H100-MEGA': { 8: ['a3-megagpu-8g'] },
  H200: { 8: ['a3-ultragpu-8g'] },
  B200: { 8: ['a4-highgpu-8g'] },
  L4: { 1: ['g2-standard-4'], 2: ['g2-standard-24'], 4: ['g2-standard-48'], 8: ['g2-standard-96'] },
};

interface ZoneRow {
  region: string;
  zone: string;
  od?: Decimal;
  spot?: Decimal;
  vcpus?: number;
  mem?: number;
}

export async function readSkypilotCatalog(path: string, provider = providerFromPath(path)): Promise<CatalogImport> {
  const issues: Issue[] = [];
  const byId = new Map<string, Offering>();
  let skipped = 0;
  let checked = false;
  // GCP's two halves, joined after the pass: machine rows by `type|zone`, GPU rows as read.
  const machines = new Map<string, ZoneRow>();
  const gpuRows: (ZoneRow & { acc: string; count: number })[] = [];
  const keep = (o: Offering) => {
    const prev = byId.get(o.id);
    const od = minDec(prev?.onDemandUsdPerHour, o.onDemandUsdPerHour);
    const spot = minDec(prev?.spotUsdPerHour, o.spotUsdPerHour);
    const { onDemandUsdPerHour: _a, spotUsdPerHour: _b, ...rest } = o;
    void _a, void _b;
    byId.set(o.id, { ...rest, ...(od && { onDemandUsdPerHour: od }), ...(spot && { spotUsdPerHour: spot }) });
  };
  for await (const rec of readCsv(path)) {
    if (!checked) {
      const miss = requireColumns(rec.header, ['InstanceType', 'AcceleratorName', 'AcceleratorCount', 'Price', 'Region'], path, 'SkyPilot vms.csv');
      if (miss.length) throw new InvalidInput(`${path}: not a SkyPilot catalog vms.csv`, miss, 'Give a SkyPilot catalog file (catalogs/v8/<cloud>/vms.csv).');
      checked = true;
    }
    const v = rec.values;
    const acc = (v.AcceleratorName ?? '').trim();
    const count = numberCell(v.AcceleratorCount);
    const instanceType = (v.InstanceType ?? '').trim();
    if (provider === 'gcp' && (!acc || !instanceType)) {
      const od = priceCell(v.Price, path, rec.line, 'Price', issues);
      const spot = priceCell(v.SpotPrice, path, rec.line, 'SpotPrice', issues);
      const row: ZoneRow = { region: (v.Region ?? '').trim() || 'default', zone: (v.AvailabilityZone ?? '').trim(), ...(od && { od }), ...(spot && { spot }) };
      const vcpus = numberCell(v.vCPUs);
      const mem = numberCell(v.MemoryGiB);
      if (!acc && instanceType) machines.set(`${instanceType}|${row.zone}`, { ...row, ...(vcpus !== undefined && { vcpus }), ...(mem !== undefined && { mem }) });
      else if (acc && count !== undefined && count > 0 && Number.isInteger(count)) gpuRows.push({ ...row, acc: normaliseGpu(acc), count });
      else skipped++;
      continue;
    }
    if (!acc || !instanceType || count === undefined || count <= 0 || !Number.isInteger(count)) {
      skipped++;
      continue;
    }
    const od = priceCell(v.Price, path, rec.line, 'Price', issues);
    const spot = priceCell(v.SpotPrice, path, rec.line, 'SpotPrice', issues);
    if (od === undefined && spot === undefined) {
      skipped++;
      continue;
    }
    const region = (v.Region ?? '').trim() || 'default';
    const vcpus = numberCell(v.vCPUs);
    const mem = numberCell(v.MemoryGiB);
    keep({
      id: offeringId(provider, region, instanceType),
      provider,
      region,
      instanceType,
      gpu: normaliseGpu(acc),
      gpuCount: count,
      ...(vcpus !== undefined && { vcpus }),
      ...(mem !== undefined && { memoryGiB: mem }),
      ...(od && { onDemandUsdPerHour: od }),
      ...(spot && { spotUsdPerHour: spot }),
      source: path,
    });
  }
  for (const g of gpuRows) {
    const hosts = GCP_GPU_HOSTS[g.acc]?.[g.count];
    let used = false;
    for (const host of hosts ?? []) {
      const m = machines.get(`${host}|${g.zone}`);
      if (!m) continue;
      const od = g.od && m.od ? g.od.plus(m.od) : undefined;
      const spot = g.spot && m.spot ? g.spot.plus(m.spot) : undefined;
      if (!od && !spot) continue;
      used = true;
      keep({
        id: offeringId(provider, g.region, host),
        provider,
        region: g.region,
        instanceType: host,
        gpu: g.acc,
        gpuCount: g.count,
        ...(m.vcpus !== undefined && { vcpus: m.vcpus }),
        ...(m.mem !== undefined && { memoryGiB: m.mem }),
        ...(od && { onDemandUsdPerHour: od }),
        ...(spot && { spotUsdPerHour: spot }),
        source: path,
      });
    }
    if (!used) skipped++;
  }
  if (issues.length) throw new InvalidInput(`${path}: ${issues.length} bad price${issues.length > 1 ? 's' : ''} in the SkyPilot catalog`, issues.slice(0, 50), 'Fix the cells named above (a price is a non-negative decimal, or empty).');
  return { offerings: [...byId.values()], skipped };
}

function minDec<T extends { lt(x: T): boolean }>(a: T | undefined, b: T | undefined): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.lt(a) ? b : a;
}
