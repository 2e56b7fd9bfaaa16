#!/usr/bin/env node
/**
 * Writes examples/demo/gpu-telemetry.csv: a synthetic, deterministic nvidia-smi log (seeded LCG)
 * of three GPUs over 4 hours at 30 s: a busy H100 (training), an under-used H100 (light
 * inference), an A100 left idle after its first hour. Run: node scripts/gen-demo-telemetry.mjs
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let seed = 20240501;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const t0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const gpus = [
  { index: 0, uuid: 'GPU-0d3f1a2b-0000-4000-8000-000000000000', name: 'NVIDIA H100 80GB HBM3', total: 81559, f: () => ({ u: 90 + Math.floor(rnd() * 10), m: 71000 + Math.floor(rnd() * 500), p: 600 + rnd() * 90 }) },
  { index: 1, uuid: 'GPU-0d3f1a2b-1111-4000-8000-000000000001', name: 'NVIDIA H100 80GB HBM3', total: 81559, f: () => ({ u: rnd() < 0.2 ? 35 + Math.floor(rnd() * 20) : 5 + Math.floor(rnd() * 15), m: 9800 + Math.floor(rnd() * 200), p: 140 + rnd() * 60 }) },
  { index: 2, uuid: 'GPU-0d3f1a2b-2222-4000-8000-000000000002', name: 'NVIDIA A100-SXM4-80GB', total: 81920, f: (s) => (s < 3600 ? { u: 60 + Math.floor(rnd() * 30), m: 30000, p: 280 + rnd() * 80 } : { u: 0, m: 30000, p: 62 + rnd() * 3 }) },
];
const lines = ['timestamp, index, uuid, name, utilization.gpu [%], utilization.memory [%], memory.used [MiB], memory.total [MiB], power.draw [W]'];
for (let s = 0; s <= 4 * 3600; s += 30) {
  const ts = new Date(t0 + s * 1000).toISOString().replace('T', ' ').replace('Z', '').replace(/-/g, '/');
  for (const g of gpus) {
    const { u, m, p } = g.f(s);
    lines.push(`${ts}, ${g.index}, ${g.uuid}, ${g.name}, ${u} %, ${Math.round(u * 0.6)} %, ${m} MiB, ${g.total} MiB, ${p.toFixed(2)} W`);
  }
}
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'demo', 'gpu-telemetry.csv');
writeFileSync(out, lines.join('\n') + '\n');
console.log(`wrote ${out}: ${lines.length - 1} rows`);
