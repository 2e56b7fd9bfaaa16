import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../errors.js';
import { seededRng } from '../rng.js';
import { defaultProfiles, deriveProfile, replicaCapacityPerS } from './replica.js';
import { arrivalsPerInterval, summarize, syntheticWorkload, workloadFromRows, zipfSampler } from './workload.js';

describe('replica profiles', () => {
  it('derives Llama 3 8B on one A100 from the datasheet and config figures', () => {
    const p = deriveProfile('llama-3-8b', 'A100');
    expect(p.gpusPerReplica).toBe(1);
    // 312 TFLOPS × 0.5 / (2 × 8.03 G) ≈ 9,714 prompt tokens/s.
    expect(p.prefillTokensPerS).toBeCloseTo((312e12 * 0.5) / (2 * 8.03e9), 6);
    // 16.1 GB of weights at 0.7 × 1,555 GB/s ≈ 14.8 ms per step.
    expect(p.decodeStepBaseS).toBeCloseTo(16.1e9 / (1555e9 * 0.7), 9);
    // (0.9 × 40 − 16.1) GB / 131,072 B per token.
    expect(p.kvCapacityTokens).toBe(Math.floor(((36 - 16.1) * 1e9) / 131072));
  });

  it('takes as many GPUs as the weights need (70B: 4 × H100)', () => {
    expect(deriveProfile('llama-3-70b', 'H100').gpusPerReplica).toBe(4);
    expect(() => deriveProfile('llama-3-70b', 'L4')).toThrow(InvalidInput);
    expect(() => deriveProfile('gpt-9', 'H100')).toThrow(/unknown model/);
    expect(defaultProfiles().length).toBeGreaterThan(10);
  });

  it('capacity is the lower of the prefill and batch bounds', () => {
    const p = deriveProfile('llama-3-8b', 'A100');
    const c = replicaCapacityPerS(p, 2000, 20);
    expect(c).toBeLessThanOrEqual(p.prefillTokensPerS / 2000 + 1e-9);
    expect(c).toBeGreaterThan(0);
  });
});

describe('workload', () => {
  it('sorts rows by time and rejects negative token counts with the line', () => {
    const w = workloadFromRows('t', [{ tMs: 2000, contextTokens: 1, generatedTokens: 2 }, { tMs: 1000, contextTokens: 3, generatedTokens: 4 }]);
    expect([...w.arrivalS]).toEqual([0, 1]);
    expect([...w.contextTokens]).toEqual([3, 1]);
    try {
      workloadFromRows('t', [{ tMs: 0, contextTokens: -1, generatedTokens: 2, line: 7 }], 'f.csv');
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidInput).issues[0]).toMatchObject({ file: 'f.csv', line: 7, path: '[0].contextTokens' });
    }
  });

  it('counts arrivals per interval and summarises tokens', () => {
    const w = syntheticWorkload(seededRng(1), { durationS: 600, ratePerS: 2, context: [10, 10], generated: [5, 5] });
    const a = arrivalsPerInterval(w, 60);
    expect(a.reduce((x, y) => x + y, 0)).toBe(w.arrivalS.length);
    expect(summarize(w).contextTokens.mean).toBe(10);
    // ≈ 1,200 arrivals for 600 s at 2/s (Poisson: sd ≈ 35).
    expect(Math.abs(w.arrivalS.length - 1200)).toBeLessThan(150);
  });

  it('Zipf puts rank 0 first', () => {
    const z = zipfSampler(10, 1);
    const rng = seededRng(2);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) counts[z(rng.next())]++;
    // P(rank 0) = 1 / H(10) ≈ 0.341.
    expect(counts[0] / 10_000).toBeCloseTo(0.341, 1);
    expect(counts[0]).toBeGreaterThan(counts[9] * 5);
  });
});
