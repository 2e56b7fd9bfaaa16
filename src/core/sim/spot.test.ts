import { describe, expect, it } from 'vitest';
import { backToSpot, uniformProgress, type ProgressState } from './spot.js';

// A 10 h job that arrived at 0 with a deadline at 20 h; changeover 0.5 h.
const base: ProgressState = { t: 0, arrivalS: 0, deadlineS: 20 * 3600, totalWorkS: 10 * 3600, remainingWorkS: 10 * 3600, changeoverS: 1800, spotAvailable: false, onDemandSpeed: 1, committed: false };

describe('uniform progress (Can\'t Be Late)', () => {
  it('uses spot whenever it is there and slack remains', () => {
    expect(uniformProgress({ ...base, spotAvailable: true })).toEqual({ market: 'spot', committed: false });
  });

  it('waits while ahead of the line, until it would fall behind by one changeover', () => {
    // Done 4 h at t = 5 h: the line reaches 4 h at 8 h; plus 0.5 h grace → wake at 8.5 h.
    const c = uniformProgress({ ...base, t: 5 * 3600, remainingWorkS: 6 * 3600 });
    expect(c).toEqual({ market: 'wait', committed: false, wakeAtS: 8.5 * 3600 });
  });

  it('goes on-demand when behind the line', () => {
    expect(uniformProgress({ ...base, t: 9 * 3600, remainingWorkS: 6 * 3600 }).market).toBe('on-demand');
  });

  it('commits to on-demand at the safety net: time left ≤ work left + 2 changeovers', () => {
    // 9 h of work left at t = 10 h: 10 h left ≤ 9 h + 1 h → commit, even with spot available.
    const c = uniformProgress({ ...base, t: 10 * 3600, remainingWorkS: 9 * 3600, spotAvailable: true });
    expect(c).toEqual({ market: 'on-demand', committed: true });
    expect(uniformProgress({ ...base, committed: true, spotAvailable: true }).market).toBe('on-demand');
  });

  it('without a deadline waits for spot', () => {
    expect(uniformProgress({ ...base, deadlineS: undefined }).market).toBe('wait');
  });
});

describe('back to spot from on-demand', () => {
  it('moves when ahead of the line by more than two changeovers, short of the safety net, with work worth the move', () => {
    // t = 2 h, 4 h done: the line reaches 4 h at 8 h (> 2 + 1); safety net at 20 − 6 − 1 = 13 h (> 2.5); 6 h > 4 × 0.5 h.
    expect(backToSpot({ ...base, t: 2 * 3600, remainingWorkS: 6 * 3600, spotAvailable: true })).toBe(true);
  });

  it('stays when too close to the line, when the work left is short, when committed, or without a deadline', () => {
    const ahead = { ...base, t: 2 * 3600, remainingWorkS: 6 * 3600, spotAvailable: true };
    // t = 7.5 h: the line reaches 4 h at 8 h, less than two changeovers away.
    expect(backToSpot({ ...ahead, t: 7.5 * 3600 })).toBe(false);
    // 1.5 h left: not more than four changeovers (2 h).
    expect(backToSpot({ ...ahead, remainingWorkS: 1.5 * 3600 })).toBe(false);
    expect(backToSpot({ ...ahead, committed: true })).toBe(false);
    expect(backToSpot({ ...ahead, deadlineS: undefined })).toBe(false);
  });
});
