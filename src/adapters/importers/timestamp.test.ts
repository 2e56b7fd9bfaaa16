import { describe, expect, it } from 'vitest';
import { dateOption, parseDurationMs, parseInterval, parseTimestamp } from './timestamp.js';

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

describe('parseInterval', () => {
  it('takes whole seconds from 1s to 4w and calendar months', () => {
    expect(parseInterval('10s')).toEqual({ intervalMs: 10_000 });
    expect(parseInterval('90s')).toEqual({ intervalMs: 90_000 });
    expect(parseInterval('1m')).toEqual({ intervalMs: 60_000 });
    expect(parseInterval('1w')).toEqual({ intervalMs: 604_800_000 });
    expect(parseInterval('1mo')).toEqual({ intervalMs: 2_629_746_000, intervalMonths: 1 });
    expect(parseInterval('3mo')).toEqual({ intervalMs: 3 * 2_629_746_000, intervalMonths: 3 });
    for (const bad of ['0s', '500ms', '1.5s', '5w', '13mo', 'hourly', '']) expect(parseInterval(bad)).toBeUndefined();
    expect(parseDurationMs('12mo')).toBe(12 * 2_629_746_000);
  });
});

describe('dateOption', () => {
  // Node reads TZ when a Date is made: the machine's zone must not move a date option.
  const inZone = <T>(tz: string, f: () => T): T => {
    const was = process.env.TZ;
    process.env.TZ = tz;
    try {
      return f();
    } finally {
      if (was === undefined) delete process.env.TZ;
      else process.env.TZ = was;
    }
  };

  it('reads a time without a zone as UTC, whatever the machine\'s zone (budgets and reports are in UTC months)', () => {
    for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo', 'Europe/Berlin']) {
      // Midnight of 1 November: October's budget, whole. Read in Los Angeles' zone it was 07:00
      // UTC on 1 November (November's month); in Tokyo's, 15:00 UTC on 31 October.
      expect(inZone(tz, () => dateOption('--at', '2026-11-01T00:00')), tz).toBe('2026-11-01T00:00:00.000Z');
      expect(inZone(tz, () => dateOption('--at', '2026-10-10T12:30:15')), tz).toBe('2026-10-10T12:30:15.000Z');
      expect(inZone(tz, () => dateOption('--at', '2026-10-10')), tz).toBe('2026-10-10T00:00:00.000Z');
      expect(inZone(tz, () => dateOption('--at', '2026-10-10T09:00+09:00')), tz).toBe('2026-10-10T00:00:00.000Z');
      expect(inZone(tz, () => dateOption('--at', '2026-10-10T00:00Z')), tz).toBe('2026-10-10T00:00:00.000Z');
    }
    expect(() => dateOption('--at', 'yesterday')).toThrow(/--at "yesterday" is not a date/);
  });
});

