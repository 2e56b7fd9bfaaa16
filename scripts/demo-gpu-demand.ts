/**
 * Writes examples/demo/gpu-demand.csv: eight weeks of hourly GPUs in use for the demo workspace,
 * a synthetic series (daily and weekly cycles, a slow trend, seeded noise) made here so the demo
 * needs no outside data. Re-running it writes the same bytes.
 *   npx tsx scripts/demo-gpu-demand.ts
 */
import { writeFileSync } from 'node:fs';
import { seededRng } from '../src/core/rng.js';

const rng = seededRng(20261101);
const start = Date.UTC(2026, 8, 7); // a Monday
const rows = ['timestamp,gpus_in_use'];
for (let h = 0; h < 8 * 7 * 24; h++) {
  const t = new Date(start + h * 3600_000);
  const hour = t.getUTCHours();
  const weekday = (t.getUTCDay() + 6) % 7;
  const daily = 18 * Math.sin(((hour - 9) / 24) * 2 * Math.PI);
  const weekly = weekday >= 5 ? -22 : 0;
  const trend = h * 0.02;
  const value = Math.max(0, 64 + daily + weekly + trend + rng.normal() * 4);
  rows.push(`${t.toISOString().replace('.000Z', 'Z')},${value.toFixed(1)}`);
}
writeFileSync(new URL('../examples/demo/gpu-demand.csv', import.meta.url), `${rows.join('\n')}\n`);
