import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dec } from '../src/core/money.js';
import { runPenny } from './cli.js';
import { type FocusLine, focusCsv } from './fixtures/focus.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-cli-storage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** An inventory data file (no header, every cell quoted, keys URL-encoded) and 10 days of access logs. */
function fixtures() {
  const inv: string[] = [];
  for (let i = 0; i < 100; i++) inv.push(`"b","hot/f${i}","${MIB}","2025-01-01T00:00:00.000Z","STANDARD"`);
  for (let i = 0; i < 50; i++) inv.push(`"b","cold/c${i}","${GIB}","2024-06-01T00:00:00.000Z","STANDARD"`);
  writeFileSync(join(dir, 'inv.csv'), inv.join('\n') + '\n');
  const log: string[] = [];
  for (let d = 1; d <= 10; d++) {
    for (let i = 0; i < 100; i++) {
      log.push(`79a59df900b949e5 b [${String(d).padStart(2, '0')}/Mar/2025:00:${String(i % 60).padStart(2, '0')}:00 +0000] 192.0.2.3 arn:aws:iam::1:user/x 3E57427F3EXAMPLE REST.GET.OBJECT hot/f${i} "GET /b/hot/f${i} HTTP/1.1" 200 - ${MIB} ${MIB} 70 10 "-" "aws-cli/2" - s9lz= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader b.s3.us-east-1.amazonaws.com TLSv1.2 - -`);
    }
  }
  writeFileSync(join(dir, 'access.log'), log.join('\n') + '\n');
}

describe('penny storage', () => {
  fixtures();

  it('plans tiers per prefix from an inventory and access logs and writes S3 lifecycle JSON', async () => {
    const out = join(dir, 'lifecycle.json');
    const r = await runPenny(['storage', 'plan', '--inventory', join(dir, 'inv.csv'), '--access-log', join(dir, 'access.log'), '--lifecycle-out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.objects).toBe(150);
    expect(j.reads).toBe(1000);
    const hot = j.prefixes.find((p: { prefix: string }) => p.prefix === 'hot/');
    const cold = j.prefixes.find((p: { prefix: string }) => p.prefix === 'cold/');
    expect(hot.steps).toEqual([{ fromMonth: 0, tierId: 'aws:STANDARD' }]);
    expect(cold.steps).toEqual([{ fromMonth: 0, tierId: 'aws:DEEP_ARCHIVE' }]);
    expect(typeof j.totals.plan).toBe('string');
    expect(Number(j.totals.plan)).toBeLessThan(Number(j.totals.allStandard));
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ Rules: [{ ID: 'penny-1-cold/', Filter: { Prefix: 'cold/' }, Status: 'Enabled', Transitions: [{ Days: 0, StorageClass: 'DEEP_ARCHIVE' }] }] });

    const t = await runPenny(['storage', 'plan', '--inventory', join(dir, 'inv.csv'), '--access-log', join(dir, 'access.log')]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/Prefix +Objects +GiB +Reads\/month/);
    expect(t.stdout).toMatch(/The plan saves \$[\d,.]+ over 12 months against all standard/);
  });

  it('puts the Storage lines of the ingested FOCUS bills beside the plan', async () => {
    const ws = join(dir, 'ws-bill');
    // March 2025: bucket b billed 0.75 a day (23.25), another bucket and a compute line left out.
    const lines: FocusLine[] = [];
    for (let d = 1; d <= 31; d++) {
      const day = `2025-03-${String(d).padStart(2, '0')}`;
      lines.push({ day, service: 'Amazon Simple Storage Service', category: 'Storage', region: 'us-east-1', resource: 'arn:aws:s3:::b', pricing: 'Standard', list: '0.75', billed: '0.75', effective: '0.75', quantity: '32.6', unit: 'GB-Mo' });
      lines.push({ day, service: 'Amazon Simple Storage Service', category: 'Storage', region: 'us-east-1', resource: 'arn:aws:s3:::other', pricing: 'Standard', list: '9', billed: '9', effective: '9', quantity: '391', unit: 'GB-Mo' });
      lines.push({ day, service: 'Amazon Elastic Compute Cloud', category: 'Compute', region: 'us-east-1', resource: 'i-b', pricing: 'Standard', list: '5', billed: '5', effective: '5', quantity: '24', unit: 'Hours' });
    }
    const bill = join(dir, 'focus.csv');
    writeFileSync(bill, focusCsv(lines));
    expect((await runPenny(['--workspace', ws, 'ingest', bill])).code).toBe(0);
    const r = await runPenny(['--workspace', ws, 'storage', 'plan', '--inventory', join(dir, 'inv.csv'), '--access-log', join(dir, 'access.log'), '--bill', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.bill.months).toHaveLength(1);
    expect(j.bill.months[0].effective).toBe('23.25');
    expect(j.bill.months[0].resources).toEqual(['arn:aws:s3:::b']);
    expect(dec(j.bill.planPerMonth).times(12).minus(j.totals.plan).abs().lt('1e-30')).toBe(true);
    const t = await runPenny(['--workspace', ws, 'storage', 'plan', '--inventory', join(dir, 'inv.csv'), '--access-log', join(dir, 'access.log'), '--bill']);
    expect(t.stdout).toMatch(/Month +Billed \(effective\) +Plan per month +Difference/);
    expect(t.stdout).toContain('$23.25');
  });

  it('plans each object of an objects CSV on another cloud', async () => {
    const f = join(dir, 'objects.csv');
    writeFileSync(f, `key,size_bytes,created,accessed\nckpt/a.pt,${10 * GIB},2025-01-01T00:00:00Z,2025-01-01T12:00:00Z\n`);
    const r = await runPenny(['storage', 'plan', '--objects', f, '--by-object', '--provider', 'gcp', '--as-of', '2025-12-31', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.prefixes[0].prefix).toBe('ckpt/a.pt');
    expect(j.prefixes[0].steps[0].tierId.startsWith('gcp:')).toBe(true);
    expect(j.readsBeforeCreation).toBe(0);
  });

  it('says how many reads came before their object was created, and leaves them out', async () => {
    const f = join(dir, 'rewritten.csv');
    // Written again on 2025-06-01; two reads of the earlier object under the key were logged in May.
    writeFileSync(f, `key,size_bytes,created,accessed\nckpt/b.pt,${GIB},2025-06-01T00:00:00Z,2025-05-02T00:00:00Z;2025-05-03T00:00:00Z;2025-06-02T00:00:00Z\n`);
    const r = await runPenny(['storage', 'plan', '--objects', f, '--as-of', '2025-12-31']);
    expect(r.code, r.stderr).toBe(0);
    // Past ten years (the API's bound) the plan's per-month arrays were allocated at that length: exit 1.
    const far = await runPenny(['storage', 'plan', '--objects', f, '--horizon', '99999999999']);
    expect(far.code).toBe(2);
    expect(far.stderr).toMatch(/--horizon must be at most 120 months/);
    expect(r.stdout).toMatch(/^2 reads came before their object's creation date \(an earlier object under the same key, written again since\): left out\.$/m);
  });

  it('measures codecs on a folder and prices the saving', async () => {
    const folder = join(dir, 'data');
    (await import('node:fs')).mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'a.csv'), 'ts,value\n' + Array.from({ length: 20000 }, (_, i) => `2025-01-01T00:00:${String(i % 60).padStart(2, '0')}Z,${i % 97}`).join('\n') + '\n');
    const r = await runPenny(['storage', 'compress', folder, '--codecs', 'gzip-6,brotli-5,parquet-zstd', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.codecs.map((c: { codec: string }) => c.codec)).toEqual(['gzip-6', 'brotli-5', 'parquet-zstd']);
    for (const c of j.codecs) {
      expect(c.ratio).toBeGreaterThan(0);
      expect(c.ratio).toBeLessThan(0.5);
      expect(c.ratioSe).toBe(0);
      expect(typeof c.savedUsdPerMonth).toBe('string');
    }
    const bad = await runPenny(['storage', 'compress', folder, '--codecs', 'lz4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown codec lz4');
  });

  it('prices local disks from the TCO terms beside the cloud', async () => {
    const nas = 'purchase=12000,tib=100,months=60,watts=400,kwh=0.20,pue=1.5,name=nas';
    // (12,000/60 + 0.4 kW × 730 h × 1.5 × 0.20) / 102,400 GiB = 287.6/102,400
    const p = await runPenny(['storage', 'prices', '--provider', 'aws', '--local', nas]);
    expect(p.stdout).toMatch(/local:nas +\$0\.00280859375/);
    const r = await runPenny(['storage', 'plan', '--inventory', join(dir, 'inv.csv'), '--local', nas, '--json']);
    expect(r.code).toBe(0);
    // 100 MiB + 50 GiB = 50.09765625 GiB × 287.6/102,400 × 12 months
    expect(JSON.parse(r.stdout).totals.local).toBe('1.68844757080078125');
    const bad = await runPenny(['storage', 'plan', '--inventory', join(dir, 'inv.csv'), '--local', 'purchase=12000,tib=100']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--local: months must be');
  });

  it('lists the dated price catalog with its sources', async () => {
    const r = await runPenny(['storage', 'prices', '--provider', 'aws']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Storage list prices of 2025-03');
    expect(r.stdout).toMatch(/aws:GLACIER_IR +\$0\.004 +\$0\.03/);
    expect(r.stdout).toContain('https://aws.amazon.com/s3/pricing/');
  });

  it('refuses a truncated inventory and an access log of another format with exit 2', async () => {
    const cut = join(dir, 'cut.csv');
    writeFileSync(cut, readFileSync(join(dir, 'inv.csv'), 'utf8').slice(0, 200));
    const a = await runPenny(['storage', 'plan', '--inventory', cut]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/cut\.csv:4: .*truncated/);
    expect(a.stdout).toBe('');

    const apache = join(dir, 'apache.log');
    writeFileSync(apache, '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08"\n');
    const out = join(dir, 'never.json');
    const b = await runPenny(['storage', 'plan', '--inventory', join(dir, 'inv.csv'), '--access-log', apache, '--lifecycle-out', out]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/apache\.log:1: not an S3 server access log line/);
    expect(() => readFileSync(out)).toThrow();
  });
});
