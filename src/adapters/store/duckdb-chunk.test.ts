import { describe, expect, it } from 'vitest';
import { seededRng } from '../../core/rng.js';
import { decimalFraction, writeScaledDecimal } from './duckdb-chunk.js';
import { DuckDbSession } from './duckdb.js';
import type { SqlValue } from './session.js';

/** The scaled integer by BigInt, the reference: "-12.5" at scale 3 is -12500. */
function reference(text: string, scale: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)!;
  const units = BigInt(m[2]! + (m[3] ?? '').padEnd(scale, '0'));
  return m[1] ? -units : units;
}

/** Seeded plain decimals that fit DECIMAL(width, scale): every length of each side, signs, leading zeros. */
function decimals(seed: number, count: number, width: number, scale: number): string[] {
  const rng = seededRng(seed);
  const digits = (n: number) => Array.from({ length: n }, () => String(rng.int(10))).join('');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const int = digits(rng.int(width - scale + 1)) || '0';
    const frac = digits(rng.int(scale + 1));
    const zeros = rng.int(4) === 0 ? '000' : '';
    out.push(`${rng.int(2) ? '-' : ''}${zeros}${int}${frac ? `.${frac}` : ''}`);
  }
  return out;
}

describe('writeScaledDecimal', () => {
  it('writes the exact scaled integer of every plain decimal, as BigInt computes it', () => {
    const view = new DataView(new ArrayBuffer(16));
    for (const [width, scale, bytes] of [[38, 18, 16], [38, 0, 16], [38, 38, 16], [18, 4, 8], [9, 2, 4], [4, 1, 2]] as const) {
      const texts = [...decimals(width * 100 + scale, 3000, width, scale), '0', '-0', ...(scale ? ['0.0'] : []), `${'9'.repeat(width - scale) || '0'}${scale ? `.${'9'.repeat(scale)}` : ''}`, `-${'9'.repeat(width - scale) || '0'}${scale ? `.${'9'.repeat(scale)}` : ''}`];
      const wrong: string[] = [];
      for (const t of texts) {
        const frac = decimalFraction(t, width, scale);
        if (frac < 0) {
          wrong.push(`${t} refused`);
          continue;
        }
        writeScaledDecimal(view, 0, bytes, t, scale, frac);
        const got = bytes === 16 ? (view.getBigInt64(8, true) << 64n) | view.getBigUint64(0, true) : bytes === 8 ? view.getBigInt64(0, true) : BigInt(bytes === 4 ? view.getInt32(0, true) : view.getInt16(0, true));
        if (got !== reference(t, scale)) wrong.push(`${t} as DECIMAL(${width}, ${scale}): ${got}`);
      }
      expect(wrong).toEqual([]);
    }
  });

  it('refuses text that is not a plain decimal or does not fit the column', () => {
    for (const t of ['', '-', '.5', '5.', '1e3', '+1', '1.2.3', ' 1', '1,5', '--1', '0x10', '１']) expect(decimalFraction(t, 38, 18), t).toBe(-1);
    expect(decimalFraction('1'.repeat(21), 38, 18)).toBe(-1);
    expect(decimalFraction(`000${'1'.repeat(20)}.5`, 38, 18)).toBe(1);
    expect(decimalFraction('1.234', 9, 2)).toBe(-1);
    expect(decimalFraction('0.5', 18, 18)).toBe(1);
  });
});

describe('DuckDbSession: one appender and one chunk reused across insertMany calls', () => {
  const ddl = 'CREATE TABLE t (id INTEGER, a DECIMAL(38, 18), b DECIMAL(18, 4), c DECIMAL(9, 2), d DECIMAL(4, 1), s VARCHAR, ok BOOLEAN)';
  const cols = ['id', 'a', 'b', 'c', 'd', 's', 'ok'];
  const a = decimals(1, 5000, 38, 18);
  const b = decimals(2, 5000, 18, 4);
  const c = decimals(3, 5000, 9, 2);
  const d = decimals(4, 5000, 4, 1);
  // Nulls in every column at different strides; strings short (inlined by DuckDB) and long.
  const rows: SqlValue[][] = a.map((_, i) => [i, i % 7 === 3 ? null : a[i]!, i % 11 === 5 ? null : b[i]!, c[i]!, i % 2 ? null : d[i]!, i % 13 === 0 ? null : i % 3 ? `s${i}` : `a longer string than twelve bytes ${i} é`, i % 5 === 0 ? null : i % 2 === 0]);
  const read = (s: DuckDbSession, table: string) => s.all(`SELECT id, a::VARCHAR AS a, b::VARCHAR AS b, c::VARCHAR AS c, d::VARCHAR AS d, s, ok FROM ${table} ORDER BY id`);

  it('stores what DuckDB casts from text, across calls of every size and statements between them', async () => {
    const s = await DuckDbSession.open(':memory:');
    try {
      await s.run(ddl);
      await s.run(ddl.replace('TABLE t', 'TABLE as_text').replace('ok BOOLEAN', 'ok BOOLEAN, x DOUBLE'));
      let counted = 0;
      await s.transaction(async (tx) => {
        // Calls of 1 to 3,000 rows (one chunk, several chunks), with a read between some of them:
        // the read closes the appender, the next call opens another.
        for (let from = 0, k = 0; from < rows.length; k++) {
          const n = [1, 511, 2048, 2049, 3000, 7][k % 6]!;
          await tx.insertMany('t', cols, rows.slice(from, from + n));
          from += n;
          if (k % 4 === 1) counted = Number((await tx.all<{ n: bigint }>('SELECT count(*) AS n FROM t'))[0]!.n);
        }
      });
      expect(counted).toBeGreaterThan(0);
      // The same values as text, cast by DuckDB (a DOUBLE column keeps these rows off the chunk path).
      await s.insertMany('as_text', [...cols, 'x'], rows.map((r) => [...r.map((v) => (typeof v === 'boolean' || v === null ? v : String(v))), null]));
      const got = await read(s, 't');
      expect(got).toHaveLength(rows.length);
      expect(got).toEqual(await read(s, 'as_text'));
    } finally {
      await s.close();
    }
  });

  it('a rolled-back transaction leaves none of its appended rows; the next one appends afresh', async () => {
    const s = await DuckDbSession.open(':memory:');
    try {
      await s.run(ddl);
      await expect(
        s.transaction(async (tx) => {
          await tx.insertMany('t', cols, rows.slice(0, 3000));
          await tx.insertMany('t', cols, rows.slice(3000, 3500));
          throw new Error('stop');
        }),
      ).rejects.toThrow('stop');
      expect(await s.all('SELECT count(*)::INTEGER AS n FROM t')).toEqual([{ n: 0 }]);
      await s.transaction(async (tx) => tx.insertMany('t', cols, rows.slice(0, 10)));
      expect(await s.all('SELECT count(*)::INTEGER AS n FROM t')).toEqual([{ n: 10 }]);
    } finally {
      await s.close();
    }
  });
});
