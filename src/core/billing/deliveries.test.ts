import { describe, expect, it } from 'vitest';
import { groupDeliveries, partStem } from './deliveries.js';

const f = (dir: string, name: string) => ({ path: `${dir}/${name}`, dir, name });

describe('deliveries', () => {
  it('recognises the part numbers of the providers\' split exports', () => {
    expect(partStem('report-00001.csv.gz')).toBe('report-#.csv.gz');
    expect(partStem('part-00000-3f2a9c1b-0d4e-4e0b-9e37-7a1d5a6c2b10-c000.snappy.parquet')).toBe('part#-3f2a9c1b-0d4e-4e0b-9e37-7a1d5a6c2b10-c000.snappy.parquet');
    expect(partStem('part_0_0001.csv')).toBe('part#.csv');
    expect(partStem('billing-000000000003.csv')).toBe('billing-#.csv');
  });

  it('never takes a date for a part number', () => {
    for (const name of ['focus-20261015.csv', 'focus-2026-10-15.csv', 'focus_2026_10.csv.gz', 'cur-2024-05.parquet', 'bill.csv']) expect(partStem(name), name).toBeUndefined();
  });

  it('groups the parts of one folder and leaves other files and folders apart', () => {
    const groups = groupDeliveries([
      f('cur/2024-05', 'report-00001.csv.gz'),
      f('cur/2024-05', 'report-00002.csv.gz'),
      f('cur/2024-06', 'report-00001.csv.gz'),
      f('cur/2024-06', 'report-00002.csv.gz'),
      f('daily', 'focus-2026-10-15.csv'),
      f('daily', 'focus-2026-10-31.csv'),
      f('single', 'part-00000.csv'),
    ]);
    expect([...groups.values()]).toEqual([
      ['cur/2024-05/report-00001.csv.gz', 'cur/2024-05/report-00002.csv.gz'],
      ['cur/2024-06/report-00001.csv.gz', 'cur/2024-06/report-00002.csv.gz'],
    ]);
  });
});
