/**
 * `npm run bench storage`: a generated S3 Inventory of 1,000,000 objects (seeded: 20 top-level
 * prefixes × 50 below, sizes log-uniform 1 KiB – 1 GiB, created over two years) and 200,000 access
 * log lines over 7 days (reads skewed to a few hot prefixes and young objects), planned per
 * prefix at depth 2 (1,000 prefixes) by the built CLI (`penny storage plan --json`, one process),
 * timed with its peak memory (GNU time's maximum resident set, where /usr/bin/time exists).
 * Baseline in the same run: DuckDB reading the same inventory CSV and summing bytes per prefix
 * (the cost of just reading and grouping the file), in the same kind of process. One JSON object;
 * timeVsDuckdb is Penny's seconds ÷ DuckDB's.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRng } from '../src/core/rng.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'dist/main.js');
if (!existsSync(main)) throw new Error('build first: npm run build');
const dir = mkdtempSync(join(tmpdir(), 'penny-storage-bench-'));
const OBJECTS = Number(process.env.STORAGE_BENCH_OBJECTS ?? 1_000_000);
const LOG_LINES = Math.round(OBJECTS / 5);
const rng = seededRng(18);
const END_MS = Date.UTC(2025, 2, 8);
const DAY_MS = 86_400_000;

async function write(file: string, fill: (w: (s: string) => Promise<void>) => Promise<void>): Promise<void> {
  const out: WriteStream = createWriteStream(file);
  let buf = '';
  const w = async (s: string) => {
    buf += s;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  };
  await fill(w);
  out.write(buf);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

const keys: string[] = [];
const created: number[] = [];
const inventory = join(dir, 'inventory.csv');
await write(inventory, async (w) => {
  for (let i = 0; i < OBJECTS; i++) {
    const key = `p${rng.int(20)}/s${rng.int(50)}/obj-${i}.bin`;
    const size = Math.round(1024 * Math.pow(2, rng.next() * 20));
    const c = END_MS - 7 * DAY_MS - Math.floor(rng.next() * 730 * DAY_MS);
    keys.push(key);
    created.push(c);
    await w(`"bench","${key}","${size}","${new Date(c).toISOString()}","STANDARD"\n`);
  }
});
const log = join(dir, 'access.log');
const months = ['Jan', 'Feb', 'Mar'];
await write(log, async (w) => {
  for (let n = 0; n < LOG_LINES; n++) {
    // Half the reads go to the first two top-level prefixes' objects; the rest anywhere.
    let i = rng.int(OBJECTS);
    for (let tries = 0; rng.next() < 0.5 && tries < 50 && !/^p[01]\//.test(keys[i]!); tries++) i = rng.int(OBJECTS);
    const t = new Date(END_MS - 7 * DAY_MS + Math.floor(rng.next() * 7 * DAY_MS));
    const ts = `${String(t.getUTCDate()).padStart(2, '0')}/${months[t.getUTCMonth()]}/${t.getUTCFullYear()}:${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}:${String(t.getUTCSeconds()).padStart(2, '0')} +0000`;
    await w(`79a59df900b949e5 bench [${ts}] 192.0.2.3 arn:aws:iam::1:user/x 3E57427F3EXAMPLE REST.GET.OBJECT ${keys[i]} "GET /bench/${keys[i]} HTTP/1.1" 200 - 1048576 1048576 70 10 "-" "aws-cli/2" - s9lz= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader bench.s3.us-east-1.amazonaws.com TLSv1.2 - -\n`);
  }
});
keys.length = 0;

const hasTime = existsSync('/usr/bin/time');
function run(args: string[]): { s: number; maxRssMib: number | null; stdout: string } {
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const m = /MAXRSS (\d+)/.exec(r.stderr ?? '');
  return { s, maxRssMib: m ? Math.round(Number(m[1]) / 1024) : null, stdout: r.stdout };
}

const penny = run([main, 'storage', 'plan', '--inventory', inventory, '--access-log', log, '--prefix-depth', '2', '--json']);
const plan = JSON.parse(penny.stdout);
const baselineScript = `
const { DuckDBInstance } = await import(${JSON.stringify(join(root, 'node_modules/@duckdb/node-api/lib/index.js'))});
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const r = await c.runAndReadAll("SELECT count(*) AS n FROM (SELECT regexp_extract(Key, '^[^/]*/[^/]*/') AS prefix, sum(Size) AS bytes FROM read_csv('${inventory}', header = false, columns = {'Bucket': 'VARCHAR', 'Key': 'VARCHAR', 'Size': 'BIGINT', 'LastModifiedDate': 'TIMESTAMPTZ', 'StorageClass': 'VARCHAR'}) GROUP BY prefix)");
console.log(String(r.getRowObjectsJS()[0].n));`;
const baseline = run(['--input-type=module', '-e', baselineScript]);
const result = {
  objects: plan.objects,
  logLines: LOG_LINES,
  reads: plan.reads,
  prefixes: plan.prefixes.length,
  inventoryMib: Math.round(statSync(inventory).size / 1048576),
  logMib: Math.round(statSync(log).size / 1048576),
  pennyS: Number(penny.s.toFixed(2)),
  pennyMaxRssMib: penny.maxRssMib,
  objectsPerS: Math.round(plan.objects / penny.s),
  duckdbS: Number(baseline.s.toFixed(2)),
  duckdbPrefixes: Number(baseline.stdout.trim()),
  timeVsDuckdb: Number((penny.s / baseline.s).toFixed(2)),
  plan: plan.totals.plan,
  allStandard: plan.totals.allStandard,
  lifecycle3090: plan.totals.lifecycle3090,
  autoTiering: plan.totals.autoTiering,
};
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(result));
