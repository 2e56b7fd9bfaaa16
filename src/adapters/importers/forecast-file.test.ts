import { describe, expect, it } from 'vitest';
import { seededRng } from '../../core/rng.js';
import { forecastSeries, forecastToJson } from '../../core/forecast/forecast.js';
import { syntheticSeries } from '../../core/forecast/synthetic.js';
import { demandAt, parseForecastFile } from './forecast-file.js';

describe('forecast file', () => {
  it('reads back what forecastToJson writes', () => {
    const values = syntheticSeries({ n: 24 * 10, level: 50, daily: 10, noiseSd: 2 }, seededRng(1));
    const r = forecastSeries(
      { name: 'gpus', unit: 'GPUs', startMs: Date.UTC(2025, 0, 1), intervalMs: 3_600_000, values, filled: new Uint8Array(values.length), features: [], report: { observations: 0, duplicatesMerged: 0, missingValues: 0, sorted: false, gapsFilled: 0, fill: 'none', filledRuns: [], outliers: [], notes: [] } },
      { horizon: 24, model: 'auto', origins: 4 },
    );
    const f = parseForecastFile(JSON.stringify(forecastToJson(r, 'x.csv')));
    expect(f.intervalMs).toBe(3_600_000);
    expect(f.points).toHaveLength(24);
    expect(f.points[0]!.t).toBe(Date.UTC(2025, 0, 11));
    expect(demandAt(f, 'p90').map((d) => d.value)).toEqual(f.points.map((p) => p.p90));
  });

  it('refuses quantiles out of order and irregular times, naming the point', () => {
    const bad = { model: 'x', interval: '1h', unit: 'GPUs', points: [{ t: '2025-01-01T00:00:00Z', p10: 1, p50: 2, p90: 3 }, { t: '2025-01-01T02:00:00Z', p10: 5, p50: 4, p90: 6 }] };
    expect(() => parseForecastFile(JSON.stringify(bad))).toThrow(/not usable/);
    try {
      parseForecastFile(JSON.stringify(bad));
    } catch (e) {
      expect((e as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['points[1].t', 'points[1]']);
    }
    expect(() => parseForecastFile('{"model":"x"}')).toThrow(/not a forecast file/);
  });
});
