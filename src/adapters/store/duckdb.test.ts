import { describe, expect, it } from 'vitest';
import { DuckDbSession } from './duckdb.js';
import { StoreError, type SqlValue } from './session.js';

describe('DuckDbSession.insertMany by the appender', () => {
  const columns = ['t', 'n', 'b', 'ok', 'money', 'price', 'doc'];
  const types = ['VARCHAR', 'INTEGER', 'BIGINT', 'BOOLEAN', 'DECIMAL(38, 18)', 'DECIMAL(9, 2)', 'JSON'];
  const table = (name: string, extra = '') => `CREATE TABLE ${name} (${columns.map((c, i) => `${c} ${types[i]}`).join(', ')}${extra})`;
  const rows: SqlValue[][] = [];
  // 2,500 rows: more than one data chunk (2,048 rows).
  for (let i = 0; i < 2500; i++) {
    rows.push([i % 9 === 0 ? null : i % 4 === 0 ? '' : `row "${i}", é\n`, i % 5 === 0 ? null : i - 1000, 2 ** 40 + i, i % 3 === 0 ? null : i % 2 === 0, i % 7 === 0 ? null : `${i % 2 ? '-' : ''}${i}.${String(i).padStart(18, '0')}`, `${i % 1000}.5`, i % 6 === 0 ? null : JSON.stringify({ k: i })]);
  }
  const read = (s: DuckDbSession, name: string) => s.all(`SELECT ${columns.slice(0, 4).join(', ')}, money::VARCHAR AS money, price::VARCHAR AS price, doc::VARCHAR AS doc FROM ${name} ORDER BY b`);

  it('stores typed columns (data chunks) exactly as DuckDB casts the same values from text', async () => {
    const s = await DuckDbSession.open(':memory:');
    try {
      await s.run(table('typed'));
      // A DOUBLE column: not a kind the data chunks take, so these rows go in as text, cast by DuckDB.
      await s.run(table('text', ', d DOUBLE'));
      await s.insertMany('typed', columns, rows);
      await s.insertMany('text', [...columns, 'd'], rows.map((r) => [...r, null]));
      const typed = await read(s, 'typed');
      expect(typed).toHaveLength(2500);
      expect(typed).toEqual(await read(s, 'text'));
      expect(typed[11]).toMatchObject({ money: '-11.000000000000000011', price: '11.50' });
    } finally {
      await s.close();
    }
  });

  it('leaves values that are not plainly of their type to DuckDB: its casts and its errors', async () => {
    const s = await DuckDbSession.open(':memory:');
    try {
      await s.run(table('t1'));
      await s.insertMany('t1', columns, [['x', 1, 2, true, '1e2', '0012.50', null]]);
      expect(await read(s, 't1')).toEqual([{ t: 'x', n: 1, b: 2n, ok: true, money: '100.000000000000000000', price: '12.50', doc: null }]);
      await expect(s.insertMany('t1', columns, [['x', 1, 2, true, '1'.repeat(21), '1', null]])).rejects.toBeInstanceOf(StoreError);
      await expect(s.insertMany('t1', columns, [['x', 1, 2, true, '1', '1.234', null]])).resolves.toBeUndefined();
      expect((await s.all<{ price: string }>(`SELECT price::VARCHAR AS price FROM t1 ORDER BY price`)).map((r) => r.price)).toEqual(['1.23', '12.50']);
    } finally {
      await s.close();
    }
  });
});
