/**
 * A forecast's options as people write them (`--horizon 7d`, `--season 1d,1w`, `--quantiles
 * 0.1,0.9`), read the same way for the CLI's flags and the API's fields.
 */
import { InvalidInput } from '../../core/errors.js';
import { parseDurationMs } from './timestamp.js';

export function horizonSteps(raw: string, intervalMs: number): number {
  const s = raw.trim();
  const steps = /^\d+$/.test(s) ? Number(s) : Math.ceil(parseDurationMs(s) / intervalMs - 1e-9);
  if (!Number.isFinite(steps) || steps < 1) {
    throw new InvalidInput(`--horizon "${raw}" is not a duration`, [{ path: 'horizon', message: 'not a duration', expected: 'e.g. 30m, 24h, 7d, 2w, or a number of intervals', found: raw }], 'Use --horizon 7d.');
  }
  if (steps > 100_000) throw new InvalidInput(`--horizon ${raw} is ${steps} intervals; at most 100,000`, [{ path: 'horizon', message: 'too long', expected: 'at most 100,000 intervals', found: String(steps) }], 'Use a shorter horizon or a longer --interval.');
  return steps;
}

/** `--quantiles 0.1,0.5,0.9,0.99`: levels strictly between 0 and 1. */
export function quantileLevels(raw: string): number[] {
  return raw.split(',').map((part) => {
    const q = Number(part.trim());
    if (!(part.trim() !== '' && q > 0 && q < 1)) throw new InvalidInput(`--quantiles "${part.trim()}" is not a level between 0 and 1`, [{ path: 'quantiles', message: 'not a number strictly between 0 and 1', expected: 'e.g. 0.1,0.5,0.9,0.99', found: part.trim() }], 'Give levels as fractions: --quantiles 0.05,0.5,0.95.');
    return q;
  });
}

/** `--season 6,1d`: each period in intervals, a plain number or a whole number of intervals as a duration. */
export function seasonSteps(raw: string, intervalMs: number): number[] {
  return raw.split(',').map((part) => {
    const s = part.trim();
    const steps = /^\d+$/.test(s) ? Number(s) : parseDurationMs(s) / intervalMs;
    if (!(Number.isInteger(steps) && steps >= 2 && steps <= 1_000_000)) {
      throw new InvalidInput(`--season "${s}" is not a whole number of intervals`, [{ path: 'season', message: 'not a whole number of at least 2 intervals', expected: 'e.g. 6, 24, 1d, 1w (a multiple of the interval)', found: s }], 'Give each season as a number of intervals or a duration that the interval divides.');
    }
    return steps;
  });
}

