import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseTimestamp } from './timestamp.js';

describe('parseTimestamp', () => {
  it('reads the common forms as UTC epoch ms', () => {
    const t = Date.UTC(2023, 10, 16, 18, 17, 3, 980);
    expect(parseTimestamp('2023-11-16 18:17:03.9799600')).toBe(t);
    expect(parseTimestamp('2023-11-16T18:17:03.980Z')).toBe(t);
    expect(parseTimestamp('2023-11-16T19:17:03.980+01:00')).toBe(t);
    expect(parseTimestamp('2023/11/16 18:17:03.98')).toBe(t);
    expect(parseTimestamp('2023-11-16')).toBe(Date.UTC(2023, 10, 16));
    expect(parseTimestamp(String(t))).toBe(t);
    expect(parseTimestamp(String(t / 1000))).toBe(t);
    expect(parseTimestamp('1700000000', 'ms')).toBe(1_700_000_000);
  });
  it('refuses what is not a timestamp', () => {
    for (const bad of ['', 'yesterday', '2025-02-30', '2025-13-01', '2025-01-01 25:00']) expect(parseTimestamp(bad)).toBeNaN();
  });
});

describe('parseDurationMs', () => {
  it('reads units and sums', () => {
    expect(parseDurationMs('7d')).toBe(7 * 86_400_000);
    expect(parseDurationMs('1d12h')).toBe(36 * 3_600_000);
    expect(parseDurationMs('90m')).toBe(5_400_000);
    expect(parseDurationMs('2w')).toBe(14 * 86_400_000);
    expect(parseDurationMs('7 days')).toBeNaN();
  });
});
