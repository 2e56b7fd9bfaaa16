/**
 * Regenerates src/core/catalog/builtin-skypilot.ts, the dated part of the built-in catalog, from
 * SkyPilot catalog files (`vms.csv`, v7/v8). Run with a manifest naming each cloud's file, where it
 * came from and when its prices were taken:
 *
 *   npx tsx scripts/gen-builtin-catalog.ts manifest.json
 *
 * manifest.json: [{ "provider": "aws", "file": "~/.sky/catalogs/v8/aws/vms.csv",
 *                   "source": "skypilot-org/skypilot-catalog catalogs/v8/aws/vms.csv @ <commit>",
 *                   "asOf": "2025-11", "basis": "not before" }, …]
 *
 * Only the GPU instance types and regions in SELECTION are kept (a compact table, not a copy of
 * the catalogs); a row repeated per zone keeps its cheapest price (the SkyPilot importer's rule).
 * GCP rows are the importer's pairing of a GPU row with its machine row (VM + GPU price).
 *
 * Outliers are left out and named on stderr: an offering whose spot price is above its on-demand
 * price, or whose on-demand price is under 60% of the median of the same instance type over the
 * selected regions. SkyPilot's GCP file (v8, commit 006059e0) prices a3-highgpu-8g at $43.07/h in
 * us-central1 against $87.83 in us-east4 and $111.82 in europe-west4, and a3-ultragpu-8g at
 * $49.48 in europe-west4 against $86.76 elsewhere: a mis-fetched SKU, not a regional price.
 *
 *   npx tsx scripts/gen-builtin-catalog.ts manifest.json --only gcp,azure
 *
 * re-reads only those providers' files and keeps every other source's rows as they are in
 * builtin-skypilot.ts (the other files need not be at hand).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { readSkypilotCatalog } from '../src/adapters/importers/skypilot-catalog.js';
import { SKYPILOT_ROWS, SKYPILOT_SOURCES } from '../src/core/catalog/builtin-skypilot.js';
import type { Offering } from '../src/core/catalog/offering.js';

interface ManifestEntry {
  provider: string;
  file: string;
  source: string;
  asOf: string;
  basis: string;
}

// Instance types (exact) and regions kept per provider: the main GPU types, a handful of regions each.
const SELECTION: Record<string, { types: string[]; regions: string[] }> = {
  aws: {
    types: ['p4d.24xlarge', 'p4de.24xlarge', 'p5.48xlarge', 'p5.4xlarge', 'p5en.48xlarge', 'p6-b200.48xlarge', 'g5.12xlarge', 'g6.12xlarge'],
    regions: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-central-1', 'eu-north-1', 'eu-west-2', 'ap-northeast-1', 'ap-south-1'],
  },
  lambda: {
    types: ['gpu_1x_a6000', 'gpu_8x_v100', 'gpu_1x_a100_sxm4', 'gpu_4x_a100', 'gpu_8x_a100', 'gpu_8x_a100_80gb_sxm4', 'gpu_1x_h100_pcie', 'gpu_1x_h100_sxm5', 'gpu_8x_h100_sxm5', 'gpu_1x_b200_sxm6', 'gpu_8x_b200_sxm6', 'gpu_1x_gh200'],
    regions: ['us-east-1', 'us-west-1', 'us-south-1', 'europe-central-1', 'asia-northeast-1'],
  },
  gcp: {
    types: ['a2-highgpu-1g', 'a2-highgpu-8g', 'a2-ultragpu-8g', 'a3-highgpu-8g', 'a3-megagpu-8g', 'a3-ultragpu-8g', 'a4-highgpu-8g', 'g2-standard-4'],
    regions: ['us-central1', 'us-east4', 'europe-west4'],
  },
  nebius: {
    types: ['gpu-h100-sxm_1gpu-16vcpu-200gb', 'gpu-h100-sxm_8gpu-128vcpu-1600gb', 'gpu-h200-sxm_1gpu-16vcpu-200gb', 'gpu-h200-sxm_8gpu-128vcpu-1600gb', 'gpu-b200-sxm_8gpu-160vcpu-1792gb', 'gpu-l40s-a_1gpu-8vcpu-32gb', 'gpu-l40s-d_4gpu-128vcpu-768gb'],
    regions: ['eu-north1', 'eu-west1', 'us-central1'],
  },
};

// GPU board power (TDP) in watts, from the mlco2 GPU table (shared/data/power/mlco2-gpus.csv);
// types it does not list get no powerW rather than a guess.
const TDP_W: Record<string, number> = { H100: 700, A100: 400, 'A100-80GB': 400, V100: 300, A10G: 150, L40S: 350, L4: 72, T4: 70 };

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',').filter(Boolean)) : undefined;
const manifestPath = args.find((a, i) => !a.startsWith('--') && (onlyAt < 0 || i !== onlyAt + 1)) ?? 'manifest.json';
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestEntry[];
const sources: string[] = [];
const rows: string[] = [];
const q = JSON.stringify;
for (const [i, m] of manifest.entries()) {
  if (only && !only.has(m.provider)) {
    // Kept as generated last time: its source line and rows, re-indexed.
    const was = SKYPILOT_SOURCES.findIndex((s) => s.provider === m.provider);
    if (was < 0) throw new Error(`${m.provider}: not in builtin-skypilot.ts yet, so it cannot be kept: name it in --only`);
    const s = SKYPILOT_SOURCES[was]!;
    sources.push(`  { provider: ${q(s.provider)}, source: ${q(s.source)}, asOf: ${q(s.asOf)}, basis: ${q(s.basis)} },`);
    for (const r of SKYPILOT_ROWS.filter((r) => r[0] === was)) rows.push(`  ${q([i, ...r.slice(1)]).replace(/,/g, ', ')},`);
    continue;
  }
  const sel = SELECTION[m.provider];
  if (!sel) throw new Error(`no selection for provider ${m.provider}: add it to SELECTION`);
  if (!/^\d{4}-\d{2}(-\d{2})?$/.test(m.asOf)) throw new Error(`${m.provider}: asOf must be YYYY-MM or YYYY-MM-DD, got ${m.asOf}`);
  const { offerings } = await readSkypilotCatalog(resolve(m.file.replace(/^~/, homedir())), m.provider);
  const selected = offerings.filter((o) => sel.types.includes(o.instanceType) && sel.regions.includes(o.region));
  const kept = selected
    .filter((o) => {
      const why = outlier(o, selected);
      if (why) console.error(`${m.provider}: left out ${o.id}: ${why}`);
      return !why;
    })
    .sort((a, b) => sel.types.indexOf(a.instanceType) - sel.types.indexOf(b.instanceType) || sel.regions.indexOf(a.region) - sel.regions.indexOf(b.region));
  sources.push(`  { provider: ${q(m.provider)}, source: ${q(m.source)}, asOf: ${q(m.asOf)}, basis: ${q(m.basis)} },`);
  for (const o of kept) {
    const s = (v: unknown) => (v === undefined ? 'null' : q(String(v)));
    rows.push(`  [${i}, ${q(o.region)}, ${q(o.instanceType)}, ${q(o.gpu)}, ${o.gpuCount}, ${o.vcpus ?? 'null'}, ${o.memoryGiB ?? 'null'}, ${s(o.onDemandUsdPerHour)}, ${s(o.spotUsdPerHour)}, ${TDP_W[o.gpu] ?? 'null'}],`);
  }
  const missing = sel.types.filter((t) => !kept.some((o) => o.instanceType === t));
  if (missing.length) console.error(`${m.provider}: not in ${m.file} (or not in the selected regions, or left out): ${missing.join(', ')}`);
}

/** Why an offering's prices look mis-fetched (see the header), or undefined. */
function outlier(o: Offering, all: Offering[]): string | undefined {
  const od = o.onDemandUsdPerHour;
  if (od && o.spotUsdPerHour?.gt(od)) return `spot $${o.spotUsdPerHour.toString()}/h above on-demand $${od.toString()}/h`;
  if (!od) return undefined;
  const same = all.filter((x) => x.instanceType === o.instanceType && x.onDemandUsdPerHour).map((x) => x.onDemandUsdPerHour!.toNumber()).sort((a, b) => a - b);
  const median = same.length % 2 ? same[(same.length - 1) / 2]! : (same[same.length / 2 - 1]! + same[same.length / 2]!) / 2;
  if (same.length >= 3 && od.toNumber() < 0.6 * median) return `on-demand $${od.toString()}/h under 60% of the median $${median.toFixed(2)}/h of ${o.instanceType} in the selected regions`;
  return undefined;
}

const out = `/**
 * GENERATED by scripts/gen-builtin-catalog.ts from SkyPilot catalog files: do not edit by hand, re-run
 * the script (see its header). Each row's prices come from the source of its index, dated by asOf.
 */

export interface BuiltinSource {
  provider: string;
  /** Where the prices were read: repository, path and commit. */
  source: string;
  /** When the prices were taken, YYYY-MM or YYYY-MM-DD. */
  asOf: string;
  /** How asOf was established, for messages ("not before": a lower bound from the file's content). */
  basis: string;
}

export const SKYPILOT_SOURCES: BuiltinSource[] = [
${sources.join('\n')}
];

// source index, region, instance type, gpu, gpus, vCPUs, memory GiB, on-demand $/h, spot $/h (cheapest zone), W per GPU
export type SkypilotRow = [number, string, string, string, number, number | null, number | null, string | null, string | null, number | null];

export const SKYPILOT_ROWS: SkypilotRow[] = [
${rows.join('\n')}
];
`;
writeFileSync(resolve('src/core/catalog/builtin-skypilot.ts'), out);
console.error(`wrote src/core/catalog/builtin-skypilot.ts: ${rows.length} offerings from ${manifest.length} sources`);
