/**
 * The CLI beside a running `penny serve` on the same workspace (DuckDB lets one process open the
 * file): `ingest`, `report`, `gpu ingest|usage|waste`, `billing` and `budget` go through the
 * server's API, found in server.json, and print what a local run prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pennyBin, runPenny } from './cli.js';
import { repoRoot } from './shared-data.js';

const bill = join(repoRoot, 'examples', 'demo', 'billing-focus.csv');
const gpuLog = join(repoRoot, 'examples', 'demo', 'gpu-telemetry.csv');
let tmp: string;
const children: ChildProcess[] = [];
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'penny-beside-'));
});
afterAll(() => {
  children.forEach((c) => c.exitCode === null && c.kill('SIGKILL'));
  rmSync(tmp, { recursive: true, force: true });
});

/** `penny serve` on `ws`, resolved once it has written server.json. */
async function serve(ws: string, args: string[] = [], env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, [pennyBin, '--workspace', ws, 'serve', '--port', '0', ...args], { cwd: repoRoot, env: { ...process.env, PENNY_TOKEN: '', ...env } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!(existsSync(join(ws, 'server.json')) && /Press Ctrl-C/.test(out))) {
    if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`serve did not start within 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

// Each test runs the built binary or a server many times; on a loaded 2-core machine that takes minutes.
const E2E_TIMEOUT_MS = 300_000;

describe('the CLI beside penny serve', () => {
  it('ingests, reports and takes GPU telemetry through the server, with the output of a local run', async () => {
    const ws = join(tmp, 'served');
    const local = join(tmp, 'local');
    const server = await serve(ws, [], { PENNY_TOKEN: 'team-secret' });
    const info = JSON.parse(readFileSync(join(ws, 'server.json'), 'utf8'));
    expect(info).toMatchObject({ pid: server.pid, token: 'team-secret', readOnly: false, store: 'duckdb' });
    expect(statSync(join(ws, 'server.json')).mode & 0o777).toBe(0o600);

    // The same commands on a workspace of their own, for the expected output.
    const expected = {
      ingest: await runPenny(['-w', local, 'ingest', bill]),
      report: await runPenny(['-w', local, 'report', '--by', 'ServiceName,tag:team', '--granularity', 'month']),
      allocate: await runPenny(['-w', local, 'report', '--allocate', 'tag:team', '--json']),
      gpu: await runPenny(['-w', local, 'gpu', 'ingest', gpuLog, '--json']),
    };
    for (const r of Object.values(expected)) expect(r.code, r.stderr).toBe(0);
    // GPU reports with the flags a user passes: the server computes them with the same options.
    const gpuReports = [['gpu', 'usage'], ['gpu', 'usage', '--interval', '1h', '--price-per-kwh', '0.25', '--pue', '1.3', '--json'], ['gpu', 'waste', '--idle-min', '5m', '--gpu-price-per-hour', '2.49'], ['gpu', 'waste', '--json', '--low-util', '60', '--from', '2024-05-01T00:00Z'], ['forecast', 'gpu', '--interval', '15m', '--horizon', '1h', '--json']];
    const expectedGpu = [];
    for (const c of gpuReports) expectedGpu.push(await runPenny(['-w', local, ...c]));
    for (const r of expectedGpu) expect(r.code, r.stderr).toBe(0);

    const ingest = await runPenny(['-w', ws, 'ingest', bill]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toBe(expected.ingest.stdout);
    const report = await runPenny(['-w', ws, 'report', '--by', 'ServiceName,tag:team', '--granularity', 'month']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toBe(expected.report.stdout);
    const allocate = await runPenny(['-w', ws, 'report', '--allocate', 'tag:team', '--json']);
    expect(JSON.parse(allocate.stdout)).toEqual(JSON.parse(expected.allocate.stdout));
    const gpu = await runPenny(['-w', ws, 'gpu', 'ingest', gpuLog, '--json']);
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(JSON.parse(gpu.stdout)).toEqual(JSON.parse(expected.gpu.stdout));
    expect(JSON.parse(gpu.stdout)).toMatchObject({ created: true, samples: 1443, gpus: 3 });
    for (const [i, c] of gpuReports.entries()) {
      const r = await runPenny(['-w', ws, ...c]);
      expect(r.code, `${c.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout, c.join(' ')).toBe(expectedGpu[i]!.stdout);
    }
    expect(expectedGpu[2]!.stdout).toMatch(/Waste found: \$[\d,.]+\/month/);
    // A flag the server cannot take is refused with the reason, as bad input.
    const badCurrency = await runPenny(['-w', ws, 'gpu', 'waste', '--currency', 'usdx']);
    expect(badCurrency.code).toBe(2);
    expect(badCurrency.stderr).toMatch(/ISO 4217/);

    // The server has the rows: its own API answers from them.
    const usage = (await (await fetch(`${info.url}/api/gpus/usage`, { headers: { authorization: 'Bearer team-secret' } })).json()) as { gpus: unknown[] };
    expect(usage.gpus).toHaveLength(3);
    const again = await runPenny(['-w', ws, 'ingest', bill, '--json']);
    expect(JSON.parse(again.stdout)[0].result).toMatchObject({ status: 'already-ingested', file: { path: 'examples/demo/billing-focus.csv' } });

    // Bad input through the server: exit 2 and the file the user named, not the upload's name.
    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, `${readFileSync(bill, 'utf8').split('\n').slice(0, 3).join('\n').replace(/,(\d+\.\d+),/, ',not-a-number,')}\n`);
    const refused = await runPenny(['-w', ws, 'ingest', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bad\.csv/);
    expect(refused.stderr).not.toMatch(/uploads/);

    // Stopped, the server removes its file and the CLI opens the workspace itself again.
    await stop(server);
    expect(existsSync(join(ws, 'server.json'))).toBe(false);
    const after = await runPenny(['-w', ws, 'report', '--by', 'ServiceName,tag:team', '--granularity', 'month']);
    expect(after.stdout).toBe(expected.report.stdout);
  }, E2E_TIMEOUT_MS);

  it('lists and removes billing files and measures budgets through the server, as a local run does', async () => {
    const ws = join(tmp, 'budgets');
    for (const args of [['ingest', bill], ['budget', 'set', 'cloud', '--amount', '150000'], ['budget', 'set', 'research', '--amount', '40000', '--scope', 'tag:team=research']]) {
      const r = await runPenny(['-w', ws, ...args]);
      expect(r.code, r.stderr).toBe(0);
    }
    const commands = [['billing', 'files'], ['billing', 'files', '--json'], ['budget', 'status'], ['budget', 'status', '--json'], ['budget', 'status', '--at', '2026-10-20'], ['budget', 'list'], ['budget', 'list', '--json']];
    const before = [];
    for (const c of commands) before.push(await runPenny(['-w', ws, ...c]));
    const server = await serve(ws);
    for (const [i, c] of commands.entries()) {
      const r = await runPenny(['-w', ws, ...c]);
      expect(r.code, `${c.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout, c.join(' ')).toBe(before[i]!.stdout);
    }
    // Budgets set, listed and deleted through the server: the same checks and messages.
    const set = await runPenny(['-w', ws, 'budget', 'set', 'gpu', '--amount', '9000', '--currency', 'eur', '--scope', 'ServiceName=Amazon EC2', '--thresholds', '80,100']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/Budget gpu: €9,000(\.00)? a month on ServiceName=Amazon EC2; alerts at 80%, 100%/);
    const typo = await runPenny(['-w', ws, 'budget', 'set', 'bad', '--amount', '1', '--scope', 'ServiceNme=EC2']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no ingested bill has a column ServiceNme[\s\S]*Did you mean ServiceName\?/);
    expect((await runPenny(['-w', ws, 'budget', 'set', 'bad', '--amount', '-3'])).stderr).toMatch(/--amount must be a positive number, found "-3"|amount must be a positive number/);
    const listed = JSON.parse((await runPenny(['-w', ws, 'budget', 'list', '--json'])).stdout) as { name: string; currency: string; scope: unknown; thresholds: number[] }[];
    expect(listed.map((b) => b.name).sort()).toEqual(['cloud', 'gpu', 'research']);
    expect(listed.find((b) => b.name === 'gpu')).toMatchObject({ currency: 'EUR', scope: { kind: 'dimension', dim: { kind: 'column', name: 'ServiceName' }, value: 'Amazon EC2' }, thresholds: [80, 100] });
    expect((await runPenny(['-w', ws, 'budget', 'delete', 'gpu'])).code).toBe(0);
    const missing = await runPenny(['-w', ws, 'budget', 'delete', 'gpu']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no budget named "gpu"/);
    const [file] = JSON.parse(before[1]!.stdout) as { id: string }[];
    const removed = await runPenny(['-w', ws, 'billing', 'remove', file!.id.slice(0, 12), '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ id: file!.id, restoredRows: 0 });
    expect(JSON.parse((await runPenny(['-w', ws, 'billing', 'files', '--json'])).stdout)).toEqual([]);
    await stop(server);
  }, E2E_TIMEOUT_MS);

  it('records --save runs, costs and forecasts of the workspace\'s bills through the server', async () => {
    const ws = join(tmp, 'saves');
    const local = join(tmp, 'saves-local');
    const plan = join(repoRoot, 'examples', 'demo', 'plan.yaml');
    const scenario = join(repoRoot, 'examples', 'demo', 'scenario.yaml');
    for (const w of [ws, local]) expect((await runPenny(['-w', w, 'ingest', bill])).code).toBe(0);
    const commands = [['forecast', 'billing', '--horizon', '7d', '--model', 'snaive', '--json'], ['cost', scenario, '--save', '--json'], ['plan', plan, '--save', '--json']];
    const expected = [];
    for (const c of commands) expected.push(await runPenny(['-w', local, ...c]));
    for (const r of expected) expect(r.code, r.stderr).toBe(0);
    const server = await serve(ws);
    const info = JSON.parse(readFileSync(join(ws, 'server.json'), 'utf8')) as { url: string };
    for (const [i, c] of commands.entries()) {
      const r = await runPenny(['-w', ws, ...c]);
      expect(r.code, `${c.join(' ')}: ${r.stderr}`).toBe(0);
      const strip = (x: string) => JSON.parse(x, (k, v) => (k === 'timingsS' || k === 'seconds' || k === 'elapsedS' ? undefined : v));
      expect(strip(r.stdout), c.join(' ')).toEqual(strip(expected[i]!.stdout));
    }
    // The server holds what the CLI saved: the scenario and its report, and the plan as a run.
    const scenarios = (await (await fetch(`${info.url}/api/scenarios`)).json()) as { name: string }[];
    expect(scenarios).toHaveLength(1);
    const runs = (await (await fetch(`${info.url}/api/runs?kind=plan`)).json()) as { id: string; name: string }[];
    expect(runs).toHaveLength(1);
    const run = (await (await fetch(`${info.url}/api/runs/${runs[0]!.id}`)).json()) as { result: { totalUsd: string } };
    expect(run.result.totalUsd).toBe(JSON.parse(expected[2]!.stdout).totalUsd);
    // A result that is not of its kind's contract is refused, and nothing is recorded.
    const bad = await fetch(`${info.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'plan', name: 'x', inputs: {}, summary: {}, result: { scenario: 'x' } }) });
    expect(bad.status).toBe(422);
    expect(((await (await fetch(`${info.url}/api/runs?kind=plan`)).json()) as unknown[]).length).toBe(1);
    // Commands that need the workspace to themselves say so, with what to do.
    const compact = await runPenny(['-w', ws, 'gpu', 'compact']);
    expect(compact.code).not.toBe(0);
    expect(compact.stderr).toMatch(/in use by another Penny process[\s\S]*needs the workspace to itself/);
    await stop(server);
  }, E2E_TIMEOUT_MS);

  it('gives logs without a UUID column the host a local ingest gives them (file name or folder), not the upload\'s', async () => {
    const ws = join(tmp, 'hosts');
    // The demo log without its uuid column: GPUs are HOST:index, the host taken from the path.
    const noUuid = readFileSync(gpuLog, 'utf8').split('\n').map((l) => l.split(', ').filter((_, i) => i !== 2).join(', ')).join('\n');
    const fleet = join(tmp, 'fleet');
    mkdirSync(join(fleet, 'node-b'), { recursive: true });
    // One cell apart, so each is new content (the same bytes are ingested once).
    writeFileSync(join(tmp, 'node-a.csv'), noUuid.replace(' 94 %', ' 91 %'));
    writeFileSync(join(fleet, 'node-b', 'gpu.csv'), noUuid.replace(' 94 %', ' 92 %'));
    writeFileSync(join(tmp, 'node-c.csv'), noUuid.replace(' 94 %', ' 93 %'));
    const server = await serve(ws);
    for (const args of [['ingest', join(tmp, 'node-a.csv')], ['ingest', fleet], ['gpu', 'ingest', join(tmp, 'node-c.csv')]]) {
      const r = await runPenny(['-w', ws, ...args]);
      expect(r.code, r.stderr).toBe(0);
    }
    const info = JSON.parse(readFileSync(join(ws, 'server.json'), 'utf8')) as { url: string };
    const usage = (await (await fetch(`${info.url}/api/gpus/usage`)).json()) as { gpus: { gpuId: string }[] };
    expect(usage.gpus.map((g) => g.gpuId.split(':')[0]).sort()).toEqual(['node-a', 'node-a', 'node-a', 'node-b', 'node-b', 'node-b', 'node-c', 'node-c', 'node-c']);
    await stop(server);
  }, E2E_TIMEOUT_MS);

  it('reports through a read-only server, refuses an ingest with what to do, and ignores a stale server.json', async () => {
    const ws = join(tmp, 'ro');
    expect((await runPenny(['-w', ws, 'ingest', bill])).code).toBe(0);
    const server = await serve(ws, ['--read-only']);
    const report = await runPenny(['-w', ws, 'report', '--json']);
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).length).toBeGreaterThan(0);
    const ingest = await runPenny(['-w', ws, 'gpu', 'ingest', gpuLog]);
    expect(ingest.code).toBe(2);
    expect(ingest.stderr).toMatch(/runs --read-only/);
    // Killed without a chance to clean up: the file stays, but names a dead process.
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    expect(existsSync(join(ws, 'server.json'))).toBe(true);
    const local = await runPenny(['-w', ws, 'gpu', 'ingest', gpuLog, '--json']);
    expect(local.code, local.stderr).toBe(0);
    expect(JSON.parse(local.stdout)).toMatchObject({ created: true });
    // A live pid (reused: here the test's own) with nothing listening at the URL: stale too.
    writeFileSync(join(ws, 'server.json'), JSON.stringify({ url: 'http://127.0.0.1:45679', token: null, pid: process.pid, readOnly: false, store: 'duckdb', startedAt: 'x' }));
    const reused = await runPenny(['-w', ws, 'report', '--json']);
    expect(reused.code, reused.stderr).toBe(0);
    expect(JSON.parse(reused.stdout)).toEqual(JSON.parse(report.stdout));
  }, E2E_TIMEOUT_MS);
});
