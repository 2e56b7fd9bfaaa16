import { describe, expect, it } from 'vitest';
import { seededRng } from '../rng.js';
import { dec } from '../money.js';
import { estimateCodec, sampleBlocks, sampleFiles } from './compression.js';

const MIB = 1048576;

describe('compression sampling', () => {
  it('measures every block when the files fit the budget', () => {
    const { blocks, populationBlocks } = sampleBlocks([{ path: 'a', sizeBytes: 10 * MIB }, { path: 'b', sizeBytes: 1 }], 4 * MIB, 64 * MIB, seededRng(1));
    expect(populationBlocks).toBe(4);
    expect(blocks).toEqual([
      { path: 'a', offset: 0, length: 4 * MIB },
      { path: 'a', offset: 4 * MIB, length: 4 * MIB },
      { path: 'a', offset: 8 * MIB, length: 2 * MIB },
      { path: 'b', offset: 0, length: 1 },
    ]);
  });

  it('draws distinct blocks, each inside its file, when they do not', () => {
    const files = Array.from({ length: 50 }, (_, i) => ({ path: `f${i}`, sizeBytes: (i + 1) * 3 * MIB + 17 }));
    const { blocks, populationBlocks } = sampleBlocks(files, MIB, 40 * MIB, seededRng(7));
    expect(blocks).toHaveLength(40);
    expect(populationBlocks).toBe(files.reduce((a, f) => a + Math.ceil(f.sizeBytes / MIB), 0));
    expect(new Set(blocks.map((b) => `${b.path}@${b.offset}`)).size).toBe(40);
    for (const b of blocks) {
      const f = files.find((x) => x.path === b.path)!;
      expect(b.offset + b.length).toBeLessThanOrEqual(f.sizeBytes);
      expect(b.length).toBeGreaterThan(0);
    }
  });

  it('estimates the ratio and its standard error by hand', () => {
    const m = [
      { inBytes: 100, outBytes: 50, cpuS: 1 },
      { inBytes: 300, outBytes: 90, cpuS: 3 },
    ];
    // R = 140/400 = 0.35; residuals 50 − 35 = 15, 90 − 105 = −15; s² = 450; SE = √(0.8/2 × 450)/200.
    const e = estimateCodec('x', m, 10, 4000, dec('0.023'), dec('0.036'));
    expect(e.ratio).toBeCloseTo(0.35, 15);
    expect(e.ratioSe).toBeCloseTo(Math.sqrt(180) / 200, 15);
    expect(e.compressedBytes).toBe(1400);
    expect(e.savedBytes).toBe(2600);
    // 4 CPU-s per 400 bytes → 40 CPU-s for 4000 bytes at 0.036/h = 0.0004.
    expect(e.cpuUsd.toFixed()).toBe('0.0004');
    expect(estimateCodec('x', m, 2, 400, dec('0.023'), dec('0.036')).ratioSe).toBe(0);
  });

  it('covers the true ratio with its 95% interval about 95% of the time', () => {
    // A population of 2,000 blocks of 1 MiB whose ratios vary from 0.1 to 0.6.
    const rng = seededRng(42);
    const outOf = Array.from({ length: 2000 }, () => Math.round(MIB * (0.1 + 0.5 * rng.next())));
    const truth = outOf.reduce((a, b) => a + b, 0) / (2000 * MIB);
    const files = outOf.map((_, i) => ({ path: String(i), sizeBytes: MIB }));
    let covered = 0;
    const trials = 300;
    for (let t = 0; t < trials; t++) {
      const { blocks, populationBlocks } = sampleBlocks(files, MIB, 60 * MIB, seededRng(1000 + t));
      const e = estimateCodec('x', blocks.map((b) => ({ inBytes: b.length, outBytes: outOf[Number(b.path)]!, cpuS: 0 })), populationBlocks, 2000 * MIB, dec(0), dec(0));
      if (Math.abs(e.ratio - truth) <= 1.96 * e.ratioSe) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.9);
    expect(covered / trials).toBeLessThan(0.99);
  });

  it('draws at least 30 blocks so the error can be stated', () => {
    const files = Array.from({ length: 100 }, (_, i) => ({ path: `f${i}`, sizeBytes: MIB }));
    expect(sampleBlocks(files, MIB, 2 * MIB, seededRng(3)).blocks).toHaveLength(30);
  });

  it('picks whole files within the budget, at least one', () => {
    const files = [{ path: 'a', sizeBytes: 10 }, { path: 'b', sizeBytes: 100 }, { path: 'c', sizeBytes: 5 }];
    expect(sampleFiles(files, 1000, seededRng(1))).toHaveLength(3);
    expect(sampleFiles(files, 1, seededRng(1))).toHaveLength(1);
  });
});
