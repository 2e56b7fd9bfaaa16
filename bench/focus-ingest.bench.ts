/**
 * `npm run bench focus-ingest`: a FOCUS export of about 200k rows (seeded, the demo bill's shape
 * with 300 copies of its resources) ingested by the built CLI (`penny ingest`, a fresh workspace,
 * one process), timed with its peak memory (GNU time's maximum resident set, where /usr/bin/time
 * exists). Baseline in the same run: DuckDB's own typed `read_csv` of the same file (money as
 * DECIMAL(38,18), periods as TIMESTAMPTZ, the rest auto-detected) into a table, in the same kind of
 * process. One JSON object; speedVsDuckdb is Penny's rows/s ÷ DuckDB's (target ≥ 0.33). CPU
 * seconds (user + system, all threads) come beside wall time: on a loaded machine they vary less.
 * FOCUS_BENCH_COPIES=100 gives a third of the rows (67,200). FOCUS_BENCH_RSS_COPIES=100,900 also
 * ingests files of those sizes (Penny only) and reports each one's peak memory and the slope of a
 * least-squares line through them all, in MiB per 100k rows: whether peak memory grows with the file.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoBill, focusCsv } from '../test/fixtures/focus.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'dist/main.js');
if (!existsSync(main)) throw new Error('build first: npm run build');
const dir = mkdtempSync(join(tmpdir(), 'penny-focus-bench-'));
const file = join(dir, 'bill.csv');

// 300 copies of the demo bill's resources over 96 days: 7 lines a day each.
const COPIES = Number(process.env.FOCUS_BENCH_COPIES ?? 300);
async function writeBill(path: string, copies: number): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  for (let k = 0; k < copies; k++) {
    const lines = demoBill({ from: '2026-06-01', days: 96, seed: k }).map((l) => ({ ...l, resource: `${l.resource}-${k}` }));
    const csv = focusCsv(lines);
    n += lines.length;
    // One header for the file.
    if (!out.write(k === 0 ? csv : csv.slice(csv.indexOf('\n') + 1))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return n;
}
const rows = await writeBill(file, COPIES);

const fileMib = Math.round(statSync(file).size / 1048576);
const hasTime = existsSync('/usr/bin/time');
function run(args: string[]): { s: number; cpuS: number | null; maxRssMib: number | null; stdout: string } {
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M CPU %U %S', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /MAXRSS (\d+) CPU ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { s, cpuS: m ? Number((Number(m[2]) + Number(m[3])).toFixed(2)) : null, maxRssMib: m ? Math.round(Number(m[1]) / 1024) : null, stdout: r.stdout };
}

const ws = join(dir, 'ws');
const penny = run([main, 'ingest', file, '--workspace', ws, '--json']);
const ingested = JSON.parse(penny.stdout);
const baselineScript = `
const { DuckDBInstance } = await import(${JSON.stringify(join(root, 'node_modules/@duckdb/node-api/lib/index.js'))});
const db = await DuckDBInstance.create(${JSON.stringify(join(dir, 'baseline.duckdb'))});
const c = await db.connect();
await c.run("CREATE TABLE raw AS SELECT * FROM read_csv('${file}', types = {${['ListCost', 'BilledCost', 'EffectiveCost', 'ConsumedQuantity'].map((c) => `'${c}': 'DECIMAL(38,18)'`).join(', ')}, 'ChargePeriodStart': 'TIMESTAMPTZ', 'ChargePeriodEnd': 'TIMESTAMPTZ', 'BillingPeriodStart': 'TIMESTAMPTZ', 'BillingPeriodEnd': 'TIMESTAMPTZ'})");
const n = await c.runAndReadAll('SELECT count(*) AS n FROM raw');
console.log(String(n.getRowObjectsJS()[0].n));`;
const baseline = run(['--input-type=module', '-e', baselineScript]);
// Peak memory at other sizes, Penny only (a fresh workspace each), beside the main run's.
const rssBySize: { rows: number; pennyMaxRssMib: number | null; pennyCpuS: number | null }[] = [{ rows, pennyMaxRssMib: penny.maxRssMib, pennyCpuS: penny.cpuS }];
for (const copies of (process.env.FOCUS_BENCH_RSS_COPIES ?? '').split(',').filter(Boolean).map(Number)) {
  const f = join(dir, `bill-${copies}.csv`);
  const n = await writeBill(f, copies);
  const r = run([main, 'ingest', f, '--workspace', join(dir, `ws-${copies}`), '--json']);
  rssBySize.push({ rows: n, pennyMaxRssMib: r.maxRssMib, pennyCpuS: r.cpuS });
  rmSync(f, { force: true });
}
rssBySize.sort((a, b) => a.rows - b.rows);
const pts = rssBySize.filter((p) => p.pennyMaxRssMib !== null);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const mx = mean(pts.map((p) => p.rows));
const my = mean(pts.map((p) => p.pennyMaxRssMib!));
const sxx = pts.reduce((a, p) => a + (p.rows - mx) ** 2, 0);
const slope = pts.length > 1 && sxx > 0 ? (pts.reduce((a, p) => a + (p.rows - mx) * (p.pennyMaxRssMib! - my), 0) / sxx) * 100_000 : null;
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    rows,
    fileMib,
    stored: ingested[0]?.result?.file?.rows ?? null,
    pennyS: Number(penny.s.toFixed(2)),
    pennyRowsPerS: Math.round(rows / penny.s),
    pennyCpuS: penny.cpuS,
    pennyMaxRssMib: penny.maxRssMib,
    duckdbReadCsvS: Number(baseline.s.toFixed(2)),
    duckdbRows: Number(baseline.stdout.trim()),
    duckdbCpuS: baseline.cpuS,
    duckdbMaxRssMib: baseline.maxRssMib,
    timeRatioVsDuckdb: Number((penny.s / baseline.s).toFixed(1)),
    speedVsDuckdb: Number((baseline.s / penny.s).toFixed(3)),
    cpuRatioVsDuckdb: penny.cpuS && baseline.cpuS ? Number((penny.cpuS / baseline.cpuS).toFixed(2)) : null,
    ...(rssBySize.length > 1 && { rssBySize, rssSlopeMibPer100kRows: slope === null ? null : Number(slope.toFixed(1)) }),
  }),
);
