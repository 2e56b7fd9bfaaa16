import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPenny } from './cli.js';
import { copyDemoWorkspace } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-cli-gpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two GPUs, 5 s samples over 2 h: GPU 0 busy at 90%, GPU 1 idle after its first 20 minutes. */
function log(): string {
  const lines = ['timestamp, index, uuid, name, utilization.gpu [%], memory.used [MiB], memory.total [MiB], power.draw [W]'];
  const t0 = Date.UTC(2024, 4, 1, 0, 0, 0);
  for (let s = 0; s <= 7200; s += 5) {
    const ts = new Date(t0 + s * 1000).toISOString().replace('T', ' ').replace('Z', '').replace(/-/g, '/');
    lines.push(`${ts}, 0, GPU-0000, NVIDIA H100 80GB HBM3, 90 %, 60000 MiB, 81559 MiB, 600.00 W`);
    lines.push(`${ts}, 1, GPU-1111, NVIDIA H100 80GB HBM3, ${s < 1200 ? 30 : 0} %, 4000 MiB, 81559 MiB, ${s < 1200 ? '300.00' : '70.00'} W`);
  }
  return lines.join('\n') + '\n';
}

describe('penny gpu', () => {
  const ws = join(dir, 'ws');
  const file = join(dir, 'gpu.csv');
  writeFileSync(file, log());

  it('ingests a log once, then reports usage, energy and waste', async () => {
    const a = await runPenny(['--workspace', ws, 'gpu', 'ingest', file]);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('Ingested 2,882 samples of 2 GPU(s)');
    const b = await runPenny(['--workspace', ws, 'gpu', 'ingest', file]);
    expect(b.stdout).toContain('Already ingested');

    const u = await runPenny(['--workspace', ws, 'gpu', 'usage', '--interval', '1h', '--price-per-kwh', '0.25', '--pue', '1.2', '--json']);
    expect(u.code).toBe(0);
    const uj = JSON.parse(u.stdout);
    expect(uj.periods).toHaveLength(4);
    const g0 = uj.periods.filter((p: { gpuId: string }) => p.gpuId === 'GPU-0000');
    // 600 W for 2 h = 1.2 kWh; × 1.2 PUE × 0.25 = 0.36
    expect(g0.reduce((x: number, p: { energyKwh: number }) => x + p.energyKwh, 0)).toBeCloseTo(1.2, 9);
    expect(g0.reduce((x: number, p: { energyCost: string }) => x + Number(p.energyCost), 0)).toBeCloseTo(0.36, 9);
    expect(typeof g0[0].energyCost).toBe('string');

    const t = await runPenny(['--workspace', ws, 'gpu', 'usage']);
    expect(t.stdout).toMatch(/Energy kWh/);
    expect(t.stdout).toContain('GPU price assumed: NVIDIA H100 80GB HBM3 $2.95/h');

    const w = await runPenny(['--workspace', ws, 'gpu', 'waste', '--json', '--gpu-price-per-hour', '2']);
    expect(w.code).toBe(0);
    const wj = JSON.parse(w.stdout);
    const idle = wj.gpus.find((g: { gpu: { gpuId: string } }) => g.gpu.gpuId === 'GPU-1111');
    expect(idle.idlePeriods).toHaveLength(1);
    expect(idle.idlePeriods[0].durationS).toBe(6005); // the 0% read at 1200 s covers (1195, 1200]
    const autostop = wj.recommendations.find((r: { action: string; resource: string }) => r.action === 'autostop' && r.resource === 'GPU-1111');
    // (6005 − 600) s recovered of 7200 s observed, × 730 h × 2/h
    expect(Number(autostop.saving)).toBeCloseTo((5405 / 7200) * 730 * 2, 2);
    expect(wj.recommendations.some((r: { resource: string; action: string }) => r.resource === 'GPU-0000' && r.action !== 'spot')).toBe(false);
  });

  it('says why a GPU with a single sample has no usage row, rather than an empty table', async () => {
    const one = join(dir, 'one-sample.csv');
    writeFileSync(one, log().split('\n').slice(0, 2).join('\n') + '\n');
    const w1 = join(dir, 'ws-one');
    expect((await runPenny(['--workspace', w1, 'gpu', 'ingest', one])).code).toBe(0);
    const u = await runPenny(['--workspace', w1, 'gpu', 'usage']);
    expect(u.code).toBe(0);
    expect(u.stdout).toMatch(/: no time measured \(a single sample, or samples more than 1 min apart\)/);
  });

  it('explains bad input and exits 2', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'timestamp, utilization.gpu [%]\n2024/05/01 00:00:00, 12 W\n');
    const r = await runPenny(['--workspace', ws, 'gpu', 'ingest', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.csv');
    expect(r.stderr).toMatch(/bad\.csv:2: utilization\.gpu \[%\]: bad value; expected a number in % or \[N\/A\]; found 12 W/);
    const u = await runPenny(['--workspace', ws, 'gpu', 'ingest', 'http://127.0.0.1:9']);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('--from and --to');
    // A range given with a file did not filter it: the whole log was ingested without a word.
    const ranged = await runPenny(['--workspace', ws, 'gpu', 'ingest', bad, '--from', '2024-05-01T00:00Z', '--to', '2024-05-02T00:00Z']);
    expect(ranged.code).toBe(2);
    expect(ranged.stderr).toMatch(/--from, --to apply to a Prometheus URL, not a file: a file is ingested whole/);
    const hosted = await runPenny(['--workspace', ws, 'gpu', 'ingest', 'http://127.0.0.1:9', '--from', '2024-05-01T00:00Z', '--to', '2024-05-02T00:00Z', '--host', 'a']);
    expect(hosted.code).toBe(2);
    expect(hosted.stderr).toMatch(/--host applies to an nvidia-smi file, not a Prometheus URL/);
    const e = await runPenny(['--workspace', join(dir, 'empty'), 'gpu', 'waste']);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('no GPU telemetry');
  });

  it('the demo workspace has telemetry that shows an idle and an under-used GPU', async () => {
    // Built once per run for the test servers, as `penny demo` builds it; that the CLI's own
    // `penny demo` says it has telemetry and gives the same findings: test/cli-foundation.test.ts.
    const demoWs = join(dir, 'demo');
    await copyDemoWorkspace(demoWs);
    const w = JSON.parse((await runPenny(['--workspace', demoWs, 'gpu', 'waste', '--json'])).stdout);
    const actions = w.recommendations.map((r: { action: string; resource: string }) => `${r.action}:${r.resource.slice(-1)}`);
    expect(actions).toContain('autostop:2');
    expect(actions).toContain('share:1');
    expect(actions.some((a: string) => a.endsWith(':0') && !a.startsWith('spot'))).toBe(false);
  });
});

describe('penny gpu waste on GPUs owned in another currency', () => {
  it('labels the saving column with the rows\' currency (EUR), not the report\'s (USD)', async () => {
    // The demo telemetry on host localhost, owned through a EUR scenario: 200,000 EUR over 4 years
    // for 8 GPUs = 50,000 / 70,080 GPU-h = 0.71347 EUR/h. Share of localhost:1: 730 × 0.71347 ×
    // (1 − 2/7) = 372.02 EUR a month. The table's column read "Saving/month (USD)" over "€372.02".
    const ws = join(dir, 'owned-eur');
    const scenario = join(dir, 'owned-eur.yaml');
    writeFileSync(scenario, 'name: owned-eur\ncurrency: EUR\nperiod: { years: 1 }\nresources:\n  - name: localhost\n    kind: server\n    gpus: 8\n    purchasePrice: 200000\n    lifetimeYears: 4\n');
    expect((await runPenny(['--workspace', ws, 'ingest', 'examples/demo/gpu-telemetry.csv', '--host', 'localhost'])).code).toBe(0);
    expect((await runPenny(['--workspace', ws, 'cost', scenario, '--save'])).code).toBe(0);
    const r = await runPenny(['--workspace', ws, 'gpu', 'waste']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Saving\/month \(EUR\)/);
    expect(r.stdout).not.toMatch(/Saving\/month \(USD\)/);
    expect(r.stdout).toMatch(/Share NVIDIA H100 80GB HBM3 localhost:1 .* €372\.02/);
    expect(r.stdout).toContain('Waste found: €742.03/month');
  });
});

describe('penny forecast gpu', () => {
  it('forecasts GPUs busy from the ingested telemetry: 0.9 + 0.3 at first, then 0.9', async () => {
    const ws = join(dir, 'ws-forecast');
    const file = join(dir, 'gpu-forecast.csv');
    writeFileSync(file, log());
    expect((await runPenny(['--workspace', ws, 'ingest', file])).code).toBe(0);
    const r = await runPenny(['--workspace', ws, 'forecast', 'gpu', '--interval', '5m', '--horizon', '30m', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout);
    expect(f.unit).toBe('GPUs');
    expect(f.points).toHaveLength(6);
    // After the first 20 minutes only GPU 0 (90%) is busy: the forecast stays at 0.9 GPUs.
    for (const p of f.points) expect(p.p50).toBeCloseTo(0.9, 1);
    const none = await runPenny(['--workspace', join(dir, 'empty'), 'forecast', 'gpu']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no GPU telemetry/);
  });
});

describe('penny ingest of a folder of several hosts\' logs', () => {
  it('names each file\'s GPUs after its host (folder or file name), so GPU 0 of two hosts stays apart', async () => {
    const { hostNvidiaSmiCsv } = await import('./fixtures/telemetry.js');
    const { mkdirSync } = await import('node:fs');
    const fleet = join(dir, 'fleet');
    mkdirSync(join(fleet, 'node-b'), { recursive: true });
    writeFileSync(join(fleet, 'node-a.csv'), hostNvidiaSmiCsv(1, () => 90));
    writeFileSync(join(fleet, 'node-b', 'gpu.csv'), hostNvidiaSmiCsv(1, () => 0));
    const ws = join(dir, 'ws-fleet');
    const r = await runPenny(['--workspace', ws, 'ingest', fleet, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const w = JSON.parse((await runPenny(['--workspace', ws, 'gpu', 'waste', '--json'])).stdout);
    expect(w.gpus.map((g: { gpu: { gpuId: string; host: string } }) => [g.gpu.gpuId, g.gpu.host]).sort()).toEqual([['node-a:0', 'node-a'], ['node-b:0', 'node-b']]);
    // node-b's idle H100: 2.95 × 730; node-a's busy one: spot (2.95 − 1.25) × 730.
    expect(w.recommendations.map((x: { id: string; saving: string }) => [x.id, x.saving])).toEqual([['release:node-b:0', '2153.5'], ['spot:node-a:0', '1241']]);
    expect(w.savingTotal).toBe('3394.5');
  });
});

describe('penny gpu waste on a MIG GPU', () => {
  it('reports each MIG instance apart: the busy one is kept, the idle one released at its 3/7 share', async () => {
    const { migNvidiaSmiCsv } = await import('./fixtures/telemetry.js');
    const file = join(dir, 'node-mig.csv');
    writeFileSync(file, migNvidiaSmiCsv());
    const ws = join(dir, 'ws-mig');
    expect((await runPenny(['--workspace', ws, 'gpu', 'ingest', file])).code).toBe(0);
    const w = JSON.parse((await runPenny(['--workspace', ws, 'gpu', 'waste', '--json'])).stdout);
    expect(w.gpus.map((g: { gpu: { gpuId: string; host: string; model: string }; meanUtilBusyPct: number }) => [g.gpu.gpuId, g.gpu.host, g.gpu.model, Math.round(g.meanUtilBusyPct ?? 0)]).sort()).toEqual([
      ['GPU-aaaa/gi1', 'node-mig', 'NVIDIA H100 80GB HBM3 MIG 3g.40gb', 85],
      ['GPU-aaaa/gi2', 'node-mig', 'NVIDIA H100 80GB HBM3 MIG 3g.40gb', 0],
    ]);
    const release = w.recommendations.filter((x: { action: string }) => x.action === 'release');
    expect(release.map((x: { resource: string; saving: string }) => [x.resource, Number(x.saving).toFixed(2)])).toEqual([['GPU-aaaa/gi2', '922.93']]);
    const text = (await runPenny(['--workspace', ws, 'gpu', 'waste'])).stdout;
    expect(text).toMatch(/node-mig:0\/gi1/);
    expect(text).toMatch(/3\/7 of the GPU's H100 on-demand/);
  });
});
