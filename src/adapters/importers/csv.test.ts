import { InvalidInput } from '../../core/errors.js';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { csvFallbacks, readCsv, readCsvHeader, readCsvRows, sniffText } from './csv.js';
import { telemetryIo } from './telemetry-io.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function all(path: string) {
  const out = [];
  for await (const r of readCsv(path)) out.push({ line: r.line, values: r.values });
  return out;
}

describe('readCsv', () => {
  it('refuses a folder by name (was EISDIR with no path, exit 1: penny serving DIR, penny gpu ingest DIR)', async () => {
    const folder = join(dir, 'logs.csv');
    mkdirSync(folder);
    for (const read of [() => readCsvHeader(folder), () => sniffText(folder), () => telemetryIo.hashFile(folder)]) {
      const err = await read().catch((e) => e);
      expect(err).toBeInstanceOf(InvalidInput);
      expect(err.message).toBe(`${folder} is a folder, not a file`);
    }
  });

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

describe('readCsvRows: the fast tokenizer agrees with csv-parse', () => {
  async function rows(path: string, engine: 'fast' | 'csv-parse') {
    const out: unknown[] = [];
    try {
      for await (const r of readCsvRows(path, { engine })) out.push([r.line, r.cells]);
    } catch (e) {
      out.push(['error', (e as Error).message]);
    }
    return out;
  }
  const failed = (x: unknown[]) => (x.at(-1) as unknown[] | undefined)?.[0] === 'error';

  it('on seeded random CSV text: well-formed (read fast) and anything (stray quotes, lone CRs, mixed line breaks)', async () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const p = join(dir, 'fuzz.csv');
    const check = async (text: string) => {
      writeFileSync(p, text);
      const [fast, slow] = [await rows(p, 'fast'), await rows(p, 'csv-parse')];
      // On bad input the error is the same; records read before it may differ (csv-parse drops
      // those of the chunk it fails in), and a failed read is never used.
      if (failed(slow)) expect(fast.at(-1), JSON.stringify(text)).toEqual(slow.at(-1));
      else expect(fast, JSON.stringify(text)).toEqual(slow);
    };
    // Well-formed: plain, empty, quoted cells with commas, quotes and line breaks; blank lines;
    // one kind of line break per file; with or without a final one.
    const cells = ['a', 'bc', '', ' x ', 'é', '\\N', '"x,y"', '"q ""z"""', '"l1\nl2"', '""'];
    const before = csvFallbacks();
    for (let f = 0; f < 120; f++) {
      const eol = rnd(2) ? '\r\n' : '\n';
      let text = (rnd(4) === 0 ? '\uFEFF' : '') + 'h1,h2,h3' + eol;
      for (let r = rnd(6); r > 0; r--) {
        text += Array.from({ length: 1 + rnd(4) }, () => cells[rnd(cells.length)]).join(',');
        text += (rnd(6) === 0 ? eol : '') + (r > 1 || rnd(2) ? eol : '');
      }
      await check(text);
    }
    expect(csvFallbacks() - before).toBe(0);
    const pieces = ['a', 'bc', ',', ',', '\n', '\n', '\r\n', '\r', '"', '""', '"x,y"', '"l1\nl2"', '"l1\r\nl2"', ' ', 'é', '\uFEFF', '\\N'];
    for (let f = 0; f < 120; f++) {
      let text = 'h1,h2,h3' + (rnd(2) ? '\r\n' : '\n');
      for (let k = rnd(40); k > 0; k--) text += pieces[rnd(pieces.length)];
      await check(text);
    }
  });

  it('across chunk boundaries of a large file, without csv-parse', async () => {
    const p = join(dir, 'big.csv');
    const line = (i: number) => `${i},"q ""${i}"", ok","multi\nline ${i}",${'x'.repeat(i % 97)}\n`;
    let text = 'a,b,c,d\n';
    for (let i = 0; i < 3000; i++) text += line(i);
    writeFileSync(p, text);
    const before = csvFallbacks();
    const fast = await rows(p, 'fast');
    expect(csvFallbacks()).toBe(before);
    expect(fast).toHaveLength(3000);
    expect(fast).toEqual(await rows(p, 'csv-parse'));
  });

  it('hands a stray quote found late in a file to csv-parse, which names it', async () => {
    const p = join(dir, 'late.csv');
    writeFileSync(p, 'a,b\n' + '1,2\n'.repeat(20_000) + '3,x"y\n');
    const fast = await rows(p, 'fast');
    expect(failed(fast)).toBe(true);
    expect(fast.at(-1)).toEqual((await rows(p, 'csv-parse')).at(-1));
  });
});
