import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAccessLogLine, readS3AccessLog } from './s3-access-log.js';
import { inventoryFiles, readS3Inventory } from './s3-inventory.js';
import { readStorageObjectsCsv } from './storage-objects-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-storage-imp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The example line of the S3 documentation's log format page, as a GET of an object.
const LINE = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.OBJECT data/my%20file.csv "GET /amzn-s3-demo-bucket1/data/my%20file.csv HTTP/1.1" 200 - 4096 4096 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 - -';

describe('S3 server access log', () => {
  it('reads the documented line format', () => {
    const r = parseAccessLogLine(LINE);
    expect(r).toEqual({ bucket: 'amzn-s3-demo-bucket1', atMs: Date.UTC(2019, 1, 6, 0, 0, 38), operation: 'REST.GET.OBJECT', key: 'data/my file.csv', status: 200, bytesSent: 4096 });
  });

  it('applies the time zone offset', () => {
    const r = parseAccessLogLine(LINE.replace('+0000', '+0130'));
    expect(typeof r !== 'string' && r.atMs).toBe(Date.UTC(2019, 1, 5, 22, 30, 38));
  });

  it('refuses an Apache combined log line with file and line', async () => {
    const f = join(dir, 'apache.log');
    writeFileSync(f, `${LINE}\n127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08"\n`);
    const read = async () => {
      for await (const _ of readS3AccessLog(f)) void _;
    };
    await expect(read()).rejects.toThrow(/apache\.log:2: not an S3 server access log line/);
  });

  it('reads gzip logs and keeps only successful object GETs as reads', async () => {
    const f = join(dir, 'log.gz');
    writeFileSync(f, gzipSync(`${LINE}\n${LINE.replace('REST.GET.OBJECT', 'REST.PUT.OBJECT')}\n${LINE.replace('" 200 -', '" 404 NoSuchKey')}\n`));
    const events = [];
    for await (const e of readS3AccessLog(f)) events.push(e);
    expect(events.map((e) => e.read?.key ?? null)).toEqual(['data/my file.csv', null, null]);
  });
});

describe('S3 Inventory CSV', () => {
  it('reads a manifest and its data file, leaving out old versions', async () => {
    const data = join(dir, 'data');
    rmSync(data, { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(data);
    writeFileSync(join(data, 'abc.csv.gz'), gzipSync('"b","a%2Fx.bin","","true","false","10","2025-01-01T00:00:00.000Z"\n"b","a%2Fx.bin","v1","false","false","9","2024-01-01T00:00:00.000Z"\n'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ fileFormat: 'CSV', fileSchema: 'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate', files: [{ key: 'inv/b/data/abc.csv.gz' }] }));
    const out = [];
    for await (const o of readS3Inventory(await inventoryFiles(join(dir, 'manifest.json')))) out.push(o);
    expect(out).toEqual([{ bucket: 'b', key: 'a/x.bin', sizeBytes: 10, createdMs: Date.UTC(2025, 0, 1) }]);
  });

  it('names the line of a truncated data file', async () => {
    const f = join(dir, 'cut.csv');
    writeFileSync(f, '"b","k1","10","2025-01-01T00:00:00.000Z","STANDARD"\n"b","k2","1');
    const read = async () => {
      for await (const _ of readS3Inventory(await inventoryFiles(f))) void _;
    };
    await expect(read()).rejects.toThrow(/cut\.csv:2: the inventory looks truncated/);
    writeFileSync(f, '"b","k1","10","2025-01-01T00:00:00.000Z","STANDARD"\n"b","k2","1"');
    await expect(read()).rejects.toThrow(/cut\.csv:2: 3 of 5 fields .*truncated/);
  });

  it('refuses a Parquet inventory with what to do', async () => {
    writeFileSync(join(dir, 'pq.json'), JSON.stringify({ fileFormat: 'Parquet', fileSchema: 'x', files: [] }));
    await expect(inventoryFiles(join(dir, 'pq.json'))).rejects.toThrow(/Penny reads CSV inventories/);
  });
});

describe('objects CSV', () => {
  it('reads reads listed with each object and names bad cells', async () => {
    const f = join(dir, 'objects.csv');
    writeFileSync(f, 'key,size_bytes,created,accessed\nm/a,100,2025-01-01,2025-01-02;2025-02-01T00:00:00Z\nm/b,5,2025-01-01,\n');
    const out = [];
    for await (const o of readStorageObjectsCsv(f)) out.push(o);
    expect(out[0]).toEqual({ bucket: '', key: 'm/a', sizeBytes: 100, createdMs: Date.UTC(2025, 0, 1), readsMs: [Date.UTC(2025, 0, 2), Date.UTC(2025, 1, 1)] });
    expect(out[1]!.readsMs).toEqual([]);
    writeFileSync(f, 'key,size_bytes,created\nm/a,1 GB,2025-01-01\n');
    const read = async () => {
      for await (const _ of readStorageObjectsCsv(f)) void _;
    };
    await expect(read()).rejects.toThrow(/objects\.csv:2: size_bytes is not a byte count/);
    // Past 2^53 a double cannot hold every byte count: 9007199254740993 was read as …992.
    writeFileSync(f, 'key,size_bytes,created\nm/a,9007199254740993,2025-01-01\n');
    await expect(read()).rejects.toThrow(/objects\.csv:2: size_bytes is not a byte count/);
    writeFileSync(f, 'key,size_bytes,created\nm/a,9007199254740991,2025-01-01\n');
    for await (const o of readStorageObjectsCsv(f)) expect(o.sizeBytes).toBe(9007199254740991);
  });
});
