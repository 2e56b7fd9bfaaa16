import { InvalidInput } from '../../core/errors.js';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv, readCsvHeader } from './csv.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(path: string) {
  const out = [];
  for await (const r of readCsv(path)) out.push({ line: r.line, values: r.values });
  return out;
}

describe('readCsv', () => {
  it('reads a tiny file whole, with BOM, CRLF, quotes and line numbers', async () => {
    const p = join(dir, 'a.csv');
    writeFileSync(p, '\uFEFFa, b ,c\r\n1,"x, ""y""",3\r\n\r\n4,"multi\nline",6\r\n7,8\r\n');
    expect(await all(p)).toEqual([
      { line: 2, values: { a: '1', b: 'x, "y"', c: '3' } },
      { line: 4, values: { a: '4', b: 'multi\nline', c: '6' } },
      { line: 6, values: { a: '7', b: '8', c: '' } },
    ]);
    expect(await readCsvHeader(p)).toEqual(['a', 'b', 'c']);
  });

  it('turns a truncated or corrupt gzip into InvalidInput, not an unhandled stream error', async () => {
    const cut = join(dir, 'cut.csv.gz');
    writeFileSync(cut, gzipSync(Buffer.from('a,b\n1,2\n'.repeat(1000))).subarray(0, 30));
    await expect(all(cut)).rejects.toThrow(/gzip stream is cut short or corrupt/);
    await expect(all(cut)).rejects.toBeInstanceOf(InvalidInput);
    const tiny = join(dir, 'tiny.csv.gz');
    writeFileSync(tiny, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0]));
    await expect(readCsvHeader(tiny)).rejects.toThrow(/gzip stream is cut short or corrupt|not a readable CSV file/);
  });

  it('reads gzip transparently', async () => {
    const p = join(dir, 'b.csv.gz');
    writeFileSync(p, gzipSync('x,y\n1,2\n'));
    expect(await all(p)).toEqual([{ line: 2, values: { x: '1', y: '2' } }]);
  });

  it('reads the header of a header-only file', async () => {
    const p = join(dir, 'c.csv');
    writeFileSync(p, 'p,q\n');
    expect(await all(p)).toEqual([]);
    expect(await readCsvHeader(p)).toEqual(['p', 'q']);
  });

  it('names the line of a broken quote', async () => {
    const p = join(dir, 'd.csv');
    writeFileSync(p, 'a,b\n1,2\n3,"open\n');
    await expect(all(p)).rejects.toThrow(/not a readable CSV file/);
  });
});
