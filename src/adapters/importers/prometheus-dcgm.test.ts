/**
 * Against a REAL Prometheus (the Debian `prometheus` binary): it scrapes a tiny DCGM-style exporter
 * served by this test on loopback every second; we then ingest through its HTTP API.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentProgress } from '../../app/ports.js';
import { ingestPrometheus } from '../../app/telemetry.js';
import { InvalidInput } from '../../core/errors.js';
import { SqlTelemetryStore } from '../store/sql-telemetry-store.js';
import { openMemoryStore } from '../store/workspace.js';
import { readPrometheusDcgm } from './prometheus-dcgm.js';
import { telemetryIo } from './telemetry-io.js';
import { runPenny } from '../../../test/cli.js';

const bin = ['/usr/bin/prometheus', 'prometheus'].find((b) => spawnSync(b, ['--version']).status === 0);
if (!bin) console.warn('skipping the Prometheus tests: no prometheus binary (apt-get install prometheus)');

const labels = (gpu: number, uuid: string) => `gpu="${gpu}",UUID="${uuid}",device="nvidia${gpu}",modelName="NVIDIA H100 80GB HBM3",Hostname="node-a"`;
const METRICS = [
  '# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).',
  '# TYPE DCGM_FI_DEV_GPU_UTIL gauge',
  `DCGM_FI_DEV_GPU_UTIL{${labels(0, 'GPU-aaaa')}} 42`,
  `DCGM_FI_DEV_GPU_UTIL{${labels(1, 'GPU-bbbb')}} 0`,
  '# TYPE DCGM_FI_DEV_POWER_USAGE gauge',
  `DCGM_FI_DEV_POWER_USAGE{${labels(0, 'GPU-aaaa')}} 123.5`,
  `DCGM_FI_DEV_POWER_USAGE{${labels(1, 'GPU-bbbb')}} 61.25`,
  '# TYPE DCGM_FI_DEV_FB_USED gauge',
  `DCGM_FI_DEV_FB_USED{${labels(0, 'GPU-aaaa')}} 2048`,
  `DCGM_FI_DEV_FB_USED{${labels(1, 'GPU-bbbb')}} 0`,
  '# TYPE DCGM_FI_DEV_FB_FREE gauge',
  `DCGM_FI_DEV_FB_FREE{${labels(0, 'GPU-aaaa')}} 79511`,
  `DCGM_FI_DEV_FB_FREE{${labels(1, 'GPU-bbbb')}} 81559`,
  '',
].join('\n');

async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(!bin)('DCGM metrics from a real Prometheus', () => {
  let exporter: Server;
  let prom: ChildProcess | undefined;
  let dir: string;
  let base: string;
  let startMs: number;
  let promLog = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'penny-prom-'));
    exporter = createServer((req, res) => {
      if (req.url === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(METRICS);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
    const exporterPort = (exporter.address() as AddressInfo).port;
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: dcgm\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    startMs = Date.now() - 1000;
    prom = spawn(bin!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stderr!.on('data', (d) => (promLog = (promLog + d).slice(-4000)));
    // Wait (bounded) until Prometheus has scraped a few samples of every metric.
    const deadline = Date.now() + 45_000;
    for (;;) {
      try {
        const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent('count_over_time(DCGM_FI_DEV_FB_FREE[1m])')}`);
        const body = (await r.json()) as { data?: { result?: { value: [number, string] }[] } };
        if (Number(body.data?.result?.[0]?.value[1] ?? 0) >= 4) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape in 45 s:\n${promLog}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }, 180_000);

  afterAll(async () => {
    prom?.kill('SIGTERM');
    if (prom && prom.exitCode === null) await new Promise((r) => prom!.once('exit', r));
    await new Promise<void>((r) => (exporter ? exporter.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('ingests utilisation, power and memory per GPU by its labels, once', async () => {
    const store = await openMemoryStore();
    try {
      const tel = new SqlTelemetryStore(store.session);
      const range = { fromMs: startMs, toMs: Date.now(), stepS: 1 };
      const r = await ingestPrometheus(tel, { now: () => new Date() }, telemetryIo, base, range, silentProgress);
      expect(r.created).toBe(true);
      expect(r.gpus).toBe(2);
      const gpus = await tel.listGpus();
      expect(gpus.map((g) => [g.gpuId, g.host, g.index, g.model, g.memoryTotalMiB])).toEqual([
        ['GPU-aaaa', 'node-a', '0', 'NVIDIA H100 80GB HBM3', 81559],
        ['GPU-bbbb', 'node-a', '1', 'NVIDIA H100 80GB HBM3', 81559],
      ]);
      const a = await tel.samples('GPU-aaaa');
      expect(a.length).toBeGreaterThanOrEqual(3);
      const full = a.filter((s) => s.utilGpuPct !== null && s.powerW !== null && s.memUsedMiB !== null);
      expect(full.length).toBeGreaterThanOrEqual(3);
      for (const s of full) expect([s.utilGpuPct, s.powerW, s.memUsedMiB]).toEqual([42, 123.5, 2048]);
      const b = await tel.samples('GPU-bbbb');
      expect(b.filter((s) => s.powerW !== null).every((s) => s.powerW === 61.25 && s.utilGpuPct === 0)).toBe(true);
      // The same range again adds nothing: same content, or the samples are already stored.
      const again = await ingestPrometheus(tel, { now: () => new Date() }, telemetryIo, base, range, silentProgress);
      expect(again.samples).toBe(0);
      expect(await tel.sampleCount()).toBe(a.length + b.length);
    } finally {
      await store.close();
    }
  });

  it('ingests through the CLI: penny gpu ingest URL --from --to', async () => {
    const ws = join(dir, 'ws');
    const from = new Date(startMs).toISOString();
    const to = new Date().toISOString();
    const r = await runPenny(['--workspace', ws, 'gpu', 'ingest', base, '--from', from, '--to', to, '--step', '1s', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: true, gpus: 2 });
    const w = JSON.parse((await runPenny(['--workspace', ws, 'gpu', 'usage', '--json'])).stdout);
    const b = w.periods.find((p: { gpuId: string }) => p.gpuId === 'GPU-bbbb');
    expect(b.busyFraction).toBe(0);
    expect(b.meanUtilPct).toBe(0);
    // The generic `penny ingest URL` takes the same path.
    const g = await runPenny(['--workspace', join(dir, 'ws-generic'), 'ingest', base, '--from', from, '--to', to, '--step', '1', '--json']);
    expect(g.code, g.stderr).toBe(0);
    expect(JSON.parse(g.stdout)[0]).toMatchObject({ kind: 'prometheus', result: { status: 'ingested', telemetry: { gpus: 2 } } });
    const noRange = await runPenny(['--workspace', join(dir, 'ws-generic'), 'ingest', base]);
    expect(noRange.code).toBe(2);
    expect(noRange.stderr).toMatch(/needs --from and --to/);
  }, 180_000);

  it('explains a bad query and an unreachable server', async () => {
    await expect(readPrometheusDcgm(base, { fromMs: startMs, toMs: startMs + 3_600_000 * 24 * 30, stepS: 0.001 })).rejects.toThrow(/too many/);
    // A server that is not Prometheus (the exporter itself): said plainly.
    const exporterUrl = `http://127.0.0.1:${(exporter.address() as AddressInfo).port}`;
    await expect(readPrometheusDcgm(exporterUrl, { fromMs: startMs, toMs: startMs + 1000, stepS: 1 })).rejects.toThrow(/did not answer as a Prometheus API/);
    const port = await freePort();
    await expect(readPrometheusDcgm(`http://127.0.0.1:${port}`, { fromMs: startMs, toMs: startMs + 1000, stepS: 1 }, { timeoutMs: 2000 })).rejects.toThrow(InvalidInput);
  });
});

describe('DCGM values out of range (a Prometheus answer made here, no binary needed)', () => {
  it('refuses a utilisation over 100% and negative watts, naming metric, GPU and time; nothing is read', async () => {
    const t0 = 1_700_000_000;
    const values: Record<string, [number, string][]> = {
      DCGM_FI_DEV_GPU_UTIL: [[t0, '50'], [t0 + 1, '150']],
      DCGM_FI_DEV_POWER_USAGE: [[t0, '300'], [t0 + 1, '-3000']],
    };
    const answer = (url: string) => {
      const metric = new URL(url).searchParams.get('query')!;
      const result = values[metric] ? [{ metric: { gpu: '0', UUID: 'GPU-x', Hostname: 'h' }, values: values[metric] }] : [];
      return new Response(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }), { status: 200 });
    };
    const fakeFetch = (async (url: string | URL) => answer(String(url))) as typeof fetch;
    const range = { fromMs: t0 * 1000, toMs: (t0 + 1) * 1000, stepS: 1 };
    const err = (await readPrometheusDcgm('http://prom:9090', range, { fetch: fakeFetch }).catch((e: unknown) => e)) as InvalidInput;
    expect(err).toBeInstanceOf(InvalidInput);
    expect(err.message).toMatch(/2 DCGM values out of range/);
    expect(err.issues.map((i) => [i.path, i.found, i.message])).toEqual([
      ['DCGM_FI_DEV_GPU_UTIL', '150', `GPU-x at ${new Date((t0 + 1) * 1000).toISOString()}: out of range`],
      ['DCGM_FI_DEV_POWER_USAGE', '-3000', `GPU-x at ${new Date((t0 + 1) * 1000).toISOString()}: out of range`],
    ]);
    values.DCGM_FI_DEV_GPU_UTIL![1]![1] = '100';
    values.DCGM_FI_DEV_POWER_USAGE![1]![1] = '0';
    const ok = await readPrometheusDcgm('http://prom:9090', range, { fetch: fakeFetch });
    expect(ok.samples.map((s) => [s.utilGpuPct, s.powerW])).toEqual([[50, 300], [100, 0]]);
  });
});
