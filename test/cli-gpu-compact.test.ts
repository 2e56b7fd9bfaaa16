import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPenny } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-cli-compact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One GPU, 5 s samples over 3 h of 2024: 90% busy at 600 W for an hour, then idle at 70 W. */
function log(): string {
  const lines = ['timestamp, index, uuid, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], power.draw [W]'];
  const t0 = Date.UTC(2024, 4, 1, 0, 0, 0);
  for (let s = 0; s <= 3 * 3600; s += 5) {
    const ts = new Date(t0 + s * 1000).toISOString().replace('T', ' ').replace('Z', '').replace(/-/g, '/');
    lines.push(`${ts}, 0, GPU-0000, NVIDIA H100 80GB HBM3, ${s < 3600 ? 90 : 0} %, 1000 MiB, 81559 MiB, ${s < 3600 ? '600.00' : '70.00'} W`);
  }
  return lines.join('\n') + '\n';
}

const total = (j: { periods: { energyKwh: number; busyS: number }[] }, k: 'energyKwh' | 'busyS') => j.periods.reduce((a, p) => a + p[k], 0);

describe('penny gpu compact', () => {
  it('rolls old telemetry up and leaves usage and energy as they were', async () => {
    const ws = join(dir, 'ws');
    const file = join(dir, 'gpu.csv');
    writeFileSync(file, log());
    expect((await runPenny(['--workspace', ws, 'gpu', 'ingest', file])).code).toBe(0);
    const before = JSON.parse((await runPenny(['--workspace', ws, 'gpu', 'usage', '--interval', '1h', '--json'])).stdout);
    const c = await runPenny(['--workspace', ws, 'gpu', 'compact', '--raw-days', '7', '--minute-days', '30', '--json']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    const r = JSON.parse(c.stdout);
    expect(r.before.samples).toBe(2161);
    expect(r.after.samples).toBe(1);
    expect(r.after.rollups).toBe(3); // hours 00, 01 and 02; the 03:00:00 sample stays raw
    const after = JSON.parse((await runPenny(['--workspace', ws, 'gpu', 'usage', '--interval', '1h', '--json'])).stdout);
    // 600 W × 3,595 s + (600 + 70)/2 W × 5 s + 70 W × 7,200 s = 2,662,675 J; busy: the intervals
    // ending at a 90% reading, (0, 3595].
    expect(total(before, 'energyKwh')).toBeCloseTo(2_662_675 / 3.6e6, 9);
    expect(total(after, 'energyKwh')).toBeCloseTo(2_662_675 / 3.6e6, 9);
    expect(total(before, 'busyS')).toBeCloseTo(3595, 6);
    expect(total(after, 'busyS')).toBeCloseTo(3595, 6);
    // Waste is found in raw samples: the compacted hours are said, never silently dropped.
    const waste = JSON.parse((await runPenny(['--workspace', ws, 'gpu', 'waste', '--json'])).stdout);
    expect(waste.notes).toEqual(['3.0 GPU-hours from 2024-05-01T00:00 to 2024-05-01T03:00 UTC are compacted into roll-ups (penny gpu compact) and not analysed here: findings cover the raw samples only (penny gpu usage counts both)']);
    expect((await runPenny(['--workspace', ws, 'gpu', 'waste'])).stdout).toMatch(/^note: 3\.0 GPU-hours from 2024-05-01T00:00/m);
    const t = await runPenny(['--workspace', ws, 'gpu', 'compact']);
    expect(t.stdout).toMatch(/Raw samples +Roll-up rows +MiB/);
    const bad = await runPenny(['--workspace', ws, 'gpu', 'compact', '--raw-days', 'seven']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--raw-days must be a number of days');
  });
});
