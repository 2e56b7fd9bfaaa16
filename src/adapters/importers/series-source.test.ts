import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../core/errors.js';
import { sharedFile } from '../../../test/shared-data.js';
import { detectFormat, loadSeries, loadSeriesMany } from './series-source.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-series-'));
function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('generic history CSV', () => {
  it('reads mixed timestamp forms, unsorted rows, duplicates and missing values, reporting each', async () => {
    const p = file('h.csv', 'time,gpus,price\n2025-01-01T02:00:00Z,30,1\n2025-01-01 00:00:00,10,1\n1735693200,20,1\n2025-01-01T02:00:00Z,32,1\n2025-01-01T04:00:00+00:00,NULL,1\n2025-01-01T05:00:00Z,50,1\n');
    const { series, format } = await loadSeries(p, { intervalMs: 3_600_000 });
    expect(format).toBe('csv');
    expect(series.name).toBe('gpus');
    [10, 20, 31, 37.333, 43.667, 50].forEach((v, i) => expect(series.values[i]).toBeCloseTo(v, 3));
    expect(Array.from(series.filled)).toEqual([0, 0, 0, 1, 1, 0]);
    expect(series.report.sorted).toBe(true);
    expect(series.report.duplicatesMerged).toBe(1);
    expect(series.report.missingValues).toBe(1);
  });

  it('detects a file without a header line and keeps its first row, with a note', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => `${new Date(Date.UTC(2025, 0, 1, i)).toISOString()},${10 + i}`).join('\n');
    const { series } = await loadSeries(file('nohead.csv', `${rows}\n`), { intervalMs: 3_600_000 });
    expect(Array.from(series.values)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(series.startMs).toBe(Date.UTC(2025, 0, 1));
    expect(series.report.notes[0]).toMatch(/no header line: its first line is data, read as columns time, value/);
  });

  it('sums counts into longer intervals (and says so), averages levels, counts rows with --agg count', async () => {
    // 10-second request counts: six per minute.
    const rows = Array.from({ length: 12 }, (_, i) => `${new Date(Date.UTC(2025, 0, 1, 0, 0, i * 10)).toISOString()},${i < 6 ? 2 : 3},${i}.5`).join('\n');
    const p = file('counts.csv', `timestamp,requests,util\n${rows}\n`);
    const counts = await loadSeries(p, { intervalMs: 60_000 });
    expect(Array.from(counts.series.values)).toEqual([12, 18]);
    expect(counts.series.report.notes.join(' ')).toMatch(/2 intervals held several values, combined by sum: "requests" holds whole counts/);
    const level = await loadSeries(p, { intervalMs: 60_000, valueColumn: 'util' });
    expect(Array.from(level.series.values)).toEqual([3, 9]);
    expect(level.series.report.notes.join(' ')).toMatch(/combined by mean: "util" is read as a level/);
    const asked = await loadSeries(p, { intervalMs: 60_000, agg: 'mean' });
    expect(Array.from(asked.series.values)).toEqual([2, 3]);
    const rowsPer = await loadSeries(p, { intervalMs: 30_000 * 4, agg: 'count' });
    expect(Array.from(rowsPer.series.values)).toEqual([12]);
  });

  it('infers the interval and reads gzip', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `${new Date(Date.UTC(2025, 0, 1, 0, i * 5)).toISOString()},${i}`).join('\n');
    const { series } = await loadSeries(file('g.csv.gz', gzipSync(`ts,req\n${rows}\n`)));
    expect(series.intervalMs).toBe(300_000);
    expect(series.values.length).toBe(10);
  });

  it('refuses a bad timestamp and a non-number, with lines', async () => {
    const p = file('bad.csv', 'time,v\n2025-01-01,1\nyesterday,2\n2025-01-03,abc\n');
    const err = await loadSeries(p).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect(err.issues.map((i: { line: number; message: string }) => `${i.line} ${i.message}`)).toEqual(['3 not a timestamp', '4 not a number']);
  });

  it('reads nvidia-smi style values with their unit after the number', async () => {
    const p = file('smi.csv', 'timestamp, index, utilization.gpu [%], power.draw [W]\n2026/11/22 10:45:45.124, 0, 35 %, 120.24 W\n2026/11/22 10:46:45.124, 0, 45 %, 130.00 W\n');
    const { series } = await loadSeries(p, { valueColumn: 'power.draw [W]', intervalMs: 60_000 });
    expect(Array.from(series.values)).toEqual([120.24, 130]);
    expect(series.unit).toBe('W');
    await expect(loadSeries(file('smi2.csv', 'time,power.draw [W]\n2026-01-01,12 kW\n'))).rejects.toThrow(/no numeric value column|cannot be read/);
  });

  it('refuses a file with no timestamp column in one message', async () => {
    const err = await loadSeries(file('prices.csv', 'Cloud,GPU,price\nAWS,H100,3.5\nGCP,A100,2.1\n')).catch((e) => e);
    expect(err.message).toMatch(/no timestamp column found/);
    expect(err.issues).toHaveLength(1);
    expect(err.hint).toMatch(/--time/);
  });

  it('refuses an unknown column and an empty file', async () => {
    await expect(loadSeries(file('c.csv', 'time,v\n2025-01-01,1\n'), { valueColumn: 'gpus' })).rejects.toThrow(/no column "gpus"/);
    await expect(loadSeries(file('e.csv', ''))).rejects.toThrow(/is empty/);
    await expect(loadSeries(join(dir, 'absent.csv'))).rejects.toThrow(/no such file/);
  });
});

describe('trace formats', () => {
  it('recognises each format by its header', () => {
    expect(detectFormat(['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'])).toBe('azure-llm');
    expect(detectFormat(['instance_sn', 'role', 'app_name', 'gpu_request', 'creation_time', 'scheduled_time', 'deletion_time'])).toBe('dlrm');
    expect(detectFormat(['name', 'num_gpu', 'gpu_milli', 'creation_time', 'deletion_time', 'scheduled_time'])).toBe('alibaba-pods');
    expect(detectFormat(['time', 'value'])).toBe('csv');
  });

  it('counts Azure requests and tokens per minute; empty minutes are zero', async () => {
    const p = file('az.csv', 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:00.1000000,100,10\n2023-11-16 18:17:30.0000000,200,20\n2023-11-16 18:19:05.0000000,300,30\n2023-11-16 18:20:59.0000000,5,5\n');
    const req = await loadSeries(p);
    expect(Array.from(req.series.values)).toEqual([2, 0, 1, 1]);
    const tok = await loadSeries(p, { metric: 'input-tokens' });
    expect(Array.from(tok.series.values)).toEqual([300, 0, 300, 5]);
    await expect(loadSeries(p, { metric: 'gpus' })).rejects.toThrow(/does not apply/);
  });

  it('turns DLRM instance lifetimes into GPUs held per hour', async () => {
    const p = file('dlrm.csv', 'instance_sn,role,app_name,cpu_request,gpu_request,creation_time,scheduled_time,deletion_time\ni0,HN,a,12,1,,,\ni1,HN,a,12,1,1800,1800,5400\ni2,CN,b,64,0,0,0,7200\ni3,HN,a,12,1,,,10800\n');
    const { series } = await loadSeries(p);
    expect(Array.from(series.values)).toEqual([2.5, 2.5, 2]);
    const inst = await loadSeries(p, { metric: 'instances' });
    expect(Array.from(inst.series.values)).toEqual([3.5, 3.5, 2]);
  });

  it('turns v2023 pods into GPUs in use and requested, shares included', async () => {
    const p = file('pods.csv', 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\np0,1000,1,1,500,,LS,Running,0,7200,0\np1,1000,1,2,1000,,LS,Running,0,7200,3600\np2,1000,1,1,1000,,LS,Pending,0,,\np3,1000,1,0,0,,LS,Running,0,7200,0\n');
    const use = await loadSeries(p, { metric: 'gpus-in-use' });
    expect(Array.from(use.series.values)).toEqual([0.5, 2.5]);
    expect(use.series.report.notes.join()).toMatch(/1 GPU pods were never scheduled/);
    const req = await loadSeries(p, { metric: 'gpus-requested' });
    expect(Array.from(req.series.values)).toEqual([3.5, 3.5]);
  });

  it('refuses a pod list without times, saying which file would do', async () => {
    const p = file('multi.csv', 'name,cpu_milli,memory_mib,num_gpu,gpu_milli\np0,1,1,1,1000\n');
    await expect(loadSeries(p)).rejects.toThrow(/needs the columns creation_time, deletion_time, scheduled_time/);
  });
});

describe('real traces', () => {
  it.skipIf(!sharedFile('alibaba-dlrm-2025/disaggregated_DLRM_trace.csv'))('DLRM: a month of hourly GPU demand', async () => {
    const { series } = await loadSeries(sharedFile('alibaba-dlrm-2025/disaggregated_DLRM_trace.csv')!);
    expect(series.values.length).toBe(743);
    const max = Math.max(...series.values);
    expect(max).toBeLessThanOrEqual(7386);
    expect(Math.min(...series.values)).toBeGreaterThan(1000);
  });
  it.skipIf(!sharedFile('azure-llm-2023/AzureLLMInferenceTrace_code.csv'))('Azure code trace: requests per minute add up to the rows read', async () => {
    const { series } = await loadSeries(sharedFile('azure-llm-2023/AzureLLMInferenceTrace_code.csv')!);
    const total = series.values.reduce((a, b) => a + b, 0);
    expect(series.report.observations).toBe(8819);
    expect(total).toBe(8819 - 237); // the last, partial minute is left out and said so
    expect(series.report.notes.join()).toMatch(/partial last interval/);
  });
});

describe('several series from one CSV', () => {
  it('splits rows by --by (an empty group is "(none)"), each on one interval', async () => {
    const p = file('groups.csv', 'time,team,gpus\n2025-01-01T00:00:00Z,ml,4\n2025-01-01T00:00:00Z,web,1\n2025-01-01T01:00:00Z,ml,6\n2025-01-01T02:00:00Z,web,3\n2025-01-01T02:00:00Z,,7\n');
    const list = await loadSeriesMany(p, { groupColumn: 'team', intervalMs: 3_600_000 });
    expect(list.map((s) => s.key)).toEqual(['ml', 'web', '(none)']);
    expect(Array.from(list[0]!.series.values)).toEqual([4, 6]);
    // web has no 01:00 row: a gap, filled and flagged like any sampled series.
    expect(Array.from(list[1]!.series.values)).toEqual([1, 2, 3]);
    expect(Array.from(list[1]!.series.filled)).toEqual([0, 1, 0]);
    expect(list[1]!.series.name).toBe('gpus · team=web');
  });

  it('takes each numeric column (not text ones), or the columns named, and refuses too many', async () => {
    const p = file('wide.csv', 'time,ml,web,region\n2025-01-01T00:00:00Z,4,,eu\n2025-01-01T01:00:00Z,6,2,eu\n');
    expect((await loadSeriesMany(p, { eachColumn: true })).map((s) => s.key)).toEqual(['ml', 'web']);
    expect((await loadSeriesMany(p, { valueColumns: ['web', 'ml'] })).map((s) => s.key)).toEqual(['web', 'ml']);
    await expect(loadSeriesMany(p, { eachColumn: true, maxSeries: 1 })).rejects.toThrow(/more than 1 series/);
    await expect(loadSeriesMany(p, { groupColumn: 'time' })).rejects.toThrow(/cannot both group the rows and be the time/);
  });
});
