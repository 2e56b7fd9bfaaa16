import { describe, expect, it } from 'vitest';
import { seededRng } from '../rng.js';
import { forecastChartSvg } from './chart.js';
import { forecastSeries } from './forecast.js';
import { syntheticSeries } from './synthetic.js';

describe('forecast chart', () => {
  it('draws history, the P50 line and the band, marking filled gaps, as well-formed SVG', () => {
    const values = syntheticSeries({ n: 24 * 6, level: 30, daily: 8, noiseSd: 1 }, seededRng(2));
    const filled = new Uint8Array(values.length);
    filled[values.length - 5] = 1;
    const r = forecastSeries(
      { name: 'gpus <held>', unit: 'GPUs', startMs: Date.UTC(2025, 0, 1), intervalMs: 3_600_000, values, filled, features: [], report: { observations: 0, duplicatesMerged: 0, missingValues: 0, sorted: false, gapsFilled: 1, fill: 'linear', filledRuns: [], outliers: [], notes: [] } },
      { horizon: 24, model: 'hw', origins: 3 },
    );
    const svg = forecastChartSvg(r);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('gpus &lt;held&gt;');
    expect(svg.match(/<polygon points="([^"]+)"/)![1]!.split(' ')).toHaveLength(48);
    expect(svg).toContain('<title>history</title>');
    expect(svg).toContain('<title>P50</title>');
    expect(svg.match(/<title>filled gap<\/title>/g)).toHaveLength(1);
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });
});
