/**
 * The Full Stack Deep Learning `cloud-gpus.csv` table → Offerings. Columns by name: Cloud, GPU Type,
 * GPUs, vCPUs, RAM, On-demand, Spot, Name. The table has no regions (region "default"); rows
 * without an instance name get one from their GPU type and count; vCPU/RAM ranges ("20-26") take
 * the lower end.
 */
import { InvalidInput, type Issue } from '../../core/errors.js';
import { normaliseGpu, offeringId, type Offering } from '../../core/catalog/offering.js';
import { readCsv } from './csv.js';
import { numberCell, priceCell, requireColumns } from './catalog-cells.js';
import type { CatalogImport } from './skypilot-catalog.js';

export function providerKey(cloud: string): string {
  return cloud.trim().toLowerCase().replace(/\s+/g, '-');
}

export async function readFsdlCatalog(path: string): Promise<CatalogImport> {
  const issues: Issue[] = [];
  const byId = new Map<string, Offering>();
  let skipped = 0;
  let checked = false;
  for await (const rec of readCsv(path)) {
    if (!checked) {
      const miss = requireColumns(rec.header, ['Cloud', 'GPU Type', 'GPUs', 'On-demand'], path, 'cloud-gpus.csv');
      if (miss.length) throw new InvalidInput(`${path}: not a Full Stack Deep Learning cloud-gpus.csv table`, miss, 'Give the cloud-gpus.csv table (columns Cloud, GPU Type, GPUs, On-demand, Spot, Name).');
      checked = true;
    }
    const v = rec.values;
    const count = numberCell(v.GPUs);
    const gpuRaw = (v['GPU Type'] ?? '').trim();
    if (!gpuRaw || count === undefined || count <= 0 || !Number.isInteger(count)) {
      skipped++;
      continue;
    }
    const od = priceCell(v['On-demand'], path, rec.line, 'On-demand', issues);
    const spot = priceCell(v.Spot, path, rec.line, 'Spot', issues);
    if (od === undefined && spot === undefined) {
      skipped++;
      continue;
    }
    const provider = providerKey(v.Cloud ?? '');
    const gpu = normaliseGpu(gpuRaw);
    const instanceType = (v.Name ?? '').trim() || `${gpu}x${count}`;
    let id = offeringId(provider, 'default', instanceType);
    // The same GPU and count can appear twice under one cloud without a name (different CPU/RAM).
    for (let k = 2; byId.has(id); k++) id = offeringId(provider, 'default', `${instanceType}#${k}`);
    const vcpus = numberCell(v.vCPUs);
    const mem = numberCell(v.RAM);
    byId.set(id, {
      id,
      provider,
      region: 'default',
      instanceType: id.split('/').slice(2).join('/'),
      gpu,
      gpuCount: count,
      ...(vcpus !== undefined && { vcpus }),
      ...(mem !== undefined && { memoryGiB: mem }),
      ...(od !== undefined && { onDemandUsdPerHour: od }),
      ...(spot !== undefined && { spotUsdPerHour: spot }),
      source: path,
    });
  }
  if (issues.length) throw new InvalidInput(`${path}: ${issues.length} bad price${issues.length > 1 ? 's' : ''} in the cloud GPU table`, issues.slice(0, 50), 'Fix the cells named above (a price is a non-negative decimal, or empty).');
  return { offerings: [...byId.values()], skipped };
}
