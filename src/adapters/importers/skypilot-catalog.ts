/**
 * SkyPilot catalog `vms.csv` (v7/v8) → Offerings. Columns are read by name (their order differs
 * by cloud); CRLF, BOM and gzip are handled by readCsv. The file has no cloud column: the provider
 * comes from the caller, or from the path (`…/<cloud>/vms.csv` or `skypilot-v8-<cloud>-vms.csv`).
 * Rows without an accelerator, or with a fractional one, are skipped and counted. A row repeated
 * per availability zone keeps its cheapest price.
 */
import { basename, dirname } from 'node:path';
import { InvalidInput, type Issue } from '../../core/errors.js';
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

export async function readSkypilotCatalog(path: string, provider = providerFromPath(path)): Promise<CatalogImport> {
  const issues: Issue[] = [];
  const byId = new Map<string, Offering>();
  let skipped = 0;
  let checked = false;
  for await (const rec of readCsv(path)) {
    if (!checked) {
      const miss = requireColumns(rec.header, ['InstanceType', 'AcceleratorName', 'AcceleratorCount', 'Price', 'Region'], path, 'SkyPilot vms.csv');
      if (miss.length) throw new InvalidInput(`${path}: not a SkyPilot catalog vms.csv`, miss, 'Give a SkyPilot catalog file (catalogs/v8/<cloud>/vms.csv).');
      checked = true;
    }
    const v = rec.values;
    const acc = (v.AcceleratorName ?? '').trim();
    const count = numberCell(v.AcceleratorCount);
    if (!acc || count === undefined || count <= 0 || !Number.isInteger(count)) {
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
    const instanceType = (v.InstanceType ?? '').trim();
    const id = offeringId(provider, region, instanceType);
    const prev = byId.get(id);
    const vcpus = numberCell(v.vCPUs);
    const mem = numberCell(v.MemoryGiB);
    const o: Offering = {
      id,
      provider,
      region,
      instanceType,
      gpu: normaliseGpu(acc),
      gpuCount: count,
      ...(vcpus !== undefined && { vcpus }),
      ...(mem !== undefined && { memoryGiB: mem }),
      ...(minDec(prev?.onDemandUsdPerHour, od) && { onDemandUsdPerHour: minDec(prev?.onDemandUsdPerHour, od)! }),
      ...(minDec(prev?.spotUsdPerHour, spot) && { spotUsdPerHour: minDec(prev?.spotUsdPerHour, spot)! }),
      source: path,
    };
    byId.set(id, o);
  }
  if (issues.length) throw new InvalidInput(`${path}: ${issues.length} bad price${issues.length > 1 ? 's' : ''} in the SkyPilot catalog`, issues.slice(0, 50), 'Fix the cells named above (a price is a non-negative decimal, or empty).');
  return { offerings: [...byId.values()], skipped };
}

function minDec<T extends { lt(x: T): boolean }>(a: T | undefined, b: T | undefined): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.lt(a) ? b : a;
}
