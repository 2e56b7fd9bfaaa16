import { describe, expect, it } from 'vitest';
import { backToSpot as backToSpotWith, backToSpotHazard, backToSpotReserve, bestZone, FIRST_TUNING, meanResidualS, greedy, lastSafeS, slackReserve, spotHazard, spotRunValue, uniformProgress as upWith, type ProgressState, type SlackReserveTuning, type SpotHazardTuning, type SpotPast } from './spot.js';

// The hand-computed cases use the first margins (one changeover of grace, back two ahead with four of work).
const uniformProgress = (s: ProgressState) => upWith(s, FIRST_TUNING);
const backToSpot = (s: ProgressState) => backToSpotWith(s, FIRST_TUNING);

// A 10 h job that arrived at 0 with a deadline at 20 h; restart 0.25 h, on-demand provisioning
// 0.25 h (on-demand changeover 0.5 h), spot provisioning 0.25 h (spot changeover 0.5 h).
const base: ProgressState = {
  t: 0, arrivalS: 0, deadlineS: 20 * 3600, totalWorkS: 10 * 3600, remainingWorkS: 10 * 3600, restartS: 900, onDemandDelayS: 900, spotDelayS: 900,
  spotAvailable: false, onDemandSpeed: 1, committed: false,
};
const GUARD = 1e-3;

describe('the last safe moment', () => {
  it('is the deadline less restart, on-demand provisioning and the work left on on-demand', () => {
    // 20 h − 0.25 h − 0.25 h − 10 h = 9.5 h.
    expect(lastSafeS(base)).toBeCloseTo(9.5 * 3600 - GUARD, 9);
    // Faster on-demand GPUs: 10 h of work take 5 h.
    expect(lastSafeS({ ...base, onDemandSpeed: 2 })).toBeCloseTo(14.5 * 3600 - GUARD, 9);
    expect(lastSafeS({ ...base, deadlineS: undefined })).toBe(Infinity);
  });
});

describe("uniform progress (Can't Be Late) within the guarantee", () => {
  it('uses spot whenever it is there and a run is worth its changeover', () => {
    expect(uniformProgress({ ...base, spotAvailable: true })).toEqual({ market: 'spot', committed: false });
  });

  it('commits to on-demand when spot would not leave a changeover of work before the last safe moment', () => {
    // Last safe 9.5 h; spot needs 0.5 h to start plus 0.5 h of run: at 8.6 h it is not worth it.
    expect(uniformProgress({ ...base, t: 8.6 * 3600, spotAvailable: true })).toEqual({ market: 'on-demand', committed: true });
    expect(uniformProgress({ ...base, t: 8.4 * 3600, spotAvailable: true }).market).toBe('spot');
  });

  it('waits while ahead of the line, until it would fall behind by one changeover', () => {
    // Done 4 h at t = 5 h: the line reaches 4 h at 8 h; plus 0.5 h grace → wake at 8.5 h.
    const c = uniformProgress({ ...base, t: 5 * 3600, remainingWorkS: 6 * 3600 });
    expect(c).toEqual({ market: 'wait', committed: false, wakeAtS: 8.5 * 3600 });
  });

  it('wakes at the last safe moment when that comes before the line', () => {
    // Done 1 h at t = 1 h; line reaches 1 h at 2 h (+0.5 h); last safe 20 − 0.5 − 9 = 10.5 h. Wake 2.5 h.
    // With a deadline at 11 h: line at 1.1 h + 0.5 h = 1.6 h; last safe 11 − 0.5 − 9 = 1.5 h → wake at 1.5 h.
    const c = uniformProgress({ ...base, t: 3600, remainingWorkS: 9 * 3600, deadlineS: 11 * 3600 });
    expect(c.market).toBe('wait');
    expect(c.wakeAtS).toBeCloseTo(1.5 * 3600 - GUARD, 9);
  });

  it('goes on-demand when behind the line', () => {
    expect(uniformProgress({ ...base, t: 9 * 3600, remainingWorkS: 6 * 3600 })).toEqual({ market: 'on-demand', committed: false });
  });

  it('commits at the last safe moment, spot or not', () => {
    const c = uniformProgress({ ...base, t: 9.5 * 3600, spotAvailable: true });
    expect(c).toEqual({ market: 'on-demand', committed: true });
    expect(uniformProgress({ ...base, committed: true, spotAvailable: true }).market).toBe('on-demand');
  });

  it('without a deadline waits for spot', () => {
    expect(uniformProgress({ ...base, deadlineS: undefined }).market).toBe('wait');
  });
});

describe('greedy', () => {
  it('spot while available, wait while not, on-demand for good at the last safe moment', () => {
    expect(greedy({ ...base, spotAvailable: true })).toEqual({ market: 'spot', committed: false });
    expect(greedy({ ...base, t: 5 * 3600, remainingWorkS: 6 * 3600 })).toEqual({ market: 'wait', committed: false, wakeAtS: 13.5 * 3600 - GUARD });
    expect(greedy({ ...base, t: 9.5 * 3600 })).toEqual({ market: 'on-demand', committed: true });
  });
});

describe('back to spot from on-demand', () => {
  it('moves when ahead of the line by more than two changeovers, short of the safety net, with work worth the move', () => {
    // t = 2 h, 4 h done: the line reaches 4 h at 8 h (> 2 + 1); last safe 20 − 0.5 − 6 = 13.5 h; 6 h > 4 × 0.5 h.
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

describe('slack reserve', () => {
  // Reserve: 0.2 of the on-demand time the work left needs plus one changeover pair (0.5 h + 0.5 h);
  // back to spot with more slack than the move (0.5 h), a changeover pair (1 h) and half a checkpoint interval.
  const k: SlackReserveTuning = { reserveShare: 0.2, reserveChangeovers: 1, backChangeovers: 1, backCheckpoints: 0.5, minSpotRunChangeovers: 1 };

  it('waits while the slack is above the reserve, and wakes when it reaches it', () => {
    // t = 5 h, 6 h left: last safe 20 − 0.5 − 6 = 13.5 h, slack 8.5 h; reserve 0.2 × 6 h + 1 h = 2.2 h → wake at 11.3 h.
    const c = slackReserve({ ...base, t: 5 * 3600, remainingWorkS: 6 * 3600 }, k);
    expect(c.market).toBe('wait');
    expect(c.wakeAtS).toBeCloseTo(11.3 * 3600 - GUARD, 6);
    // Woken at that moment: on-demand, not for good (it may come back to spot).
    expect(slackReserve({ ...base, t: c.wakeAtS!, remainingWorkS: 6 * 3600 }, k)).toEqual({ market: 'on-demand', committed: false });
  });

  it('takes spot while it is there and a run is worth its changeover; commits only at the last safe moment', () => {
    expect(slackReserve({ ...base, t: 5 * 3600, remainingWorkS: 6 * 3600, spotAvailable: true }, k)).toEqual({ market: 'spot', committed: false });
    // Last safe 13.5 h; spot needs 0.5 h to start and 0.5 h of run: at 12.6 h it is not worth it.
    expect(slackReserve({ ...base, t: 12.6 * 3600, remainingWorkS: 6 * 3600, spotAvailable: true }, k)).toEqual({ market: 'on-demand', committed: true });
    expect(slackReserve({ ...base, t: 13.5 * 3600, remainingWorkS: 6 * 3600 }, k)).toEqual({ market: 'on-demand', committed: true });
  });

  it('moves back to spot while the slack pays for the move and one preemption', () => {
    // 6 h left, checkpoint every 1 h: need 0.5 h + 1 h + 0.5 h = 2 h of slack. Last safe 13.5 h.
    const onOd = { ...base, remainingWorkS: 6 * 3600, spotAvailable: true, checkpointS: 3600 };
    expect(backToSpotReserve({ ...onOd, t: 11.4 * 3600 }, k)).toBe(true);
    expect(backToSpotReserve({ ...onOd, t: 11.6 * 3600 }, k)).toBe(false);
    // No checkpoints: a preemption would take all 6 h of work, half of which is counted: 0.5 + 1 + 3 = 4.5 h.
    expect(backToSpotReserve({ ...onOd, t: 8.9 * 3600, checkpointS: 0 }, k)).toBe(true);
    expect(backToSpotReserve({ ...onOd, t: 9.1 * 3600, checkpointS: 0 }, k)).toBe(false);
    expect(backToSpotReserve({ ...onOd, t: 2 * 3600, committed: true }, k)).toBe(false);
  });
});

describe('spot hazard: spot runs chosen by the pool\'s past', () => {
  // slack-reserve's margins (reserve 2.2 h at 6 h left), a second of slack worth 1 on-demand second
  // per unit of pressure, past believed from one run.
  const k: SpotHazardTuning = { reserveShare: 0.2, reserveChangeovers: 1, backChangeovers: 1, backCheckpoints: 0.5, minSpotRunChangeovers: 1, slackValue: 1, minRuns: 1 };
  // t = 5 h, 6 h left, checkpoint every hour, spot up: last safe 13.5 h, slack 8.5 h; spot changeover
  // 0.5 h, on-demand changeover 0.5 h; spot at 0.3 × the on-demand price.
  const h = 3600;
  const s = { ...base, t: 5 * h, remainingWorkS: 6 * h, spotAvailable: true, checkpointS: h };
  // A zone whose runs are mostly short: nine of 0.5 h and one of 12 h.
  const runs = [...Array(9).fill(0.5 * h), 12 * h];
  const past = (ageS: number): SpotPast => ({ ageS, upRunsS: runs, spotSpeed: 1, priceRatio: 0.3, tickS: 195 });
  // Slack price: 1 × 6 h of on-demand work over 8.5 h of slack.
  const price = 6 / 8.5;

  it('values a run by the past runs longer than its age, work kept to the last checkpoint', () => {
    // A 0.5 h run ends in its changeover: no work, billed 0.5 h, slack spent 0.5 h + 0.5 h back to on-demand.
    const short = -0.3 * 0.5 * h - price * 1 * h;
    // A 12 h run outlasts the work: 6 h of work, billed 0.5 h + 6 h, slack spent 0.5 h.
    const long = 6 * h - 0.3 * 6.5 * h - price * 0.5 * h;
    expect(spotRunValue(s, past(0), k)).toBeCloseTo((9 * short + long) / 10, 0);
    expect(spotRunValue(s, past(0), k)!).toBeLessThan(0);
    // At age 0.5 h only the 12 h run is longer: 11.5 h left of it, still more than the work.
    expect(spotRunValue(s, past(0.5 * h), k)).toBeCloseTo(long, 0);
    // A 2.5 h run (one alone): 2 h productive, 2 checkpoints kept, billed 2.5 h, slack spent 3 h − 2 h.
    expect(spotRunValue(s, { ...past(0), upRunsS: [2.5 * h] }, k)).toBeCloseTo(2 * h - 0.3 * 2.5 * h - price * 1 * h, 0);
    // Too few runs longer than the age to believe: no value.
    expect(spotRunValue(s, past(0), { ...k, minRuns: 11 })).toBeUndefined();
    // With a 120 s notice the job checkpoints on: a 2.25 h run keeps 1.75 h − 120 s of work (more
    // than its one periodic checkpoint), billed 2.25 h, slack spent 2.75 h − the work kept.
    const kept = 1.75 * h - 120;
    expect(spotRunValue(s, { ...past(0), upRunsS: [2.25 * h], noticeS: 120 }, k)).toBeCloseTo(kept - 0.3 * 2.25 * h - price * (2.75 * h - kept), 0);
    // A 1.6 h run: 1.1 h productive, the notice's state (1.1 h − 120 s) beats the checkpoint at 1 h.
    expect(spotRunValue(s, { ...past(0), upRunsS: [1.6 * h], noticeS: 120 }, k)).toBeCloseTo(1.1 * h - 120 - 0.3 * 1.6 * h - price * (2.1 * h - (1.1 * h - 120)), 0);
    // A 1.05 h run: 0.55 h productive; the notice keeps 0.55 h − 120 s, without it nothing.
    expect(spotRunValue(s, { ...past(0), upRunsS: [1.05 * h] }, k)).toBeCloseTo(-0.3 * 1.05 * h - price * 1.55 * h, 0);
  });

  it('waits a tick on a young run in a zone of short runs, and takes it once it has aged', () => {
    expect(spotHazard(s, past(0), k)).toEqual({ market: 'wait', committed: false, wakeAtS: 5 * h + 195 });
    expect(spotHazard(s, past(0.5 * h), k)).toEqual({ market: 'spot', committed: false });
    // Without enough past, or without any, it tries spot as slack-reserve does.
    expect(spotHazard(s, past(0), { ...k, minRuns: 11 })).toEqual({ market: 'spot', committed: false });
    expect(spotHazard(s, undefined, k)).toEqual({ market: 'spot', committed: false });
    // No deadline, or endless work (a service): nothing to weigh, spot while it is up.
    expect(spotHazard({ ...s, deadlineS: undefined }, past(0), k)).toEqual({ market: 'spot', committed: false });
    expect(spotHazard({ ...s, totalWorkS: Infinity, remainingWorkS: Infinity }, past(0), k)).toEqual({ market: 'spot', committed: false });
  });

  it('buys on-demand (not for good) instead of waiting once the slack is down to the reserve; spot down: as slack-reserve', () => {
    // Reserve 0.2 × 6 h + 1 h = 2.2 h: at 11.4 h the slack (2.1 h) is below it.
    expect(spotHazard({ ...s, t: 11.4 * h }, past(0), k)).toEqual({ market: 'on-demand', committed: false });
    const down = { ...s, spotAvailable: false };
    expect(spotHazard(down, undefined, k)).toEqual(slackReserve(down, k));
    // The guarantee's part is slack-reserve's: at the last safe moment, on-demand for good.
    expect(spotHazard({ ...s, t: 13.5 * h }, past(0.5 * h), k)).toEqual({ market: 'on-demand', committed: true });
  });

  it('moves back from on-demand only when slack-reserve would and the run is worth it', () => {
    expect(backToSpotHazard(s, past(0), k)).toBe(false);
    expect(backToSpotHazard(s, past(0.5 * h), k)).toBe(true);
    expect(backToSpotHazard(s, undefined, k)).toBe(true);
    // Slack-reserve's own test fails at 11.6 h (2 h of slack needed, 1.9 h left), whatever the past.
    expect(backToSpotReserve({ ...s, t: 11.6 * h }, k)).toBe(false);
    expect(backToSpotHazard({ ...s, t: 11.6 * h }, past(0.5 * h), k)).toBe(false);
  });
});

describe('choosing a spot zone by its past', () => {
  it("expects the run now to last the mean of the past runs longer than its age, less the age", () => {
    const runs = [600, 600, 3000, 6000];
    // Age 1000 s: the 3000 s and 6000 s runs outlasted it, with 2000 s and 5000 s left.
    expect(meanResidualS({ ageS: 1000, upRunsS: runs }, 2)).toBe(3500);
    // Age 0: every run, (600 + 600 + 3000 + 6000) / 4.
    expect(meanResidualS({ ageS: 0, upRunsS: runs }, 2)).toBe(2550);
    // Too few runs outlasted the age to believe, or none at all.
    expect(meanResidualS({ ageS: 1000, upRunsS: runs }, 3)).toBeUndefined();
    expect(meanResidualS({ ageS: 0, upRunsS: [] }, 0)).toBeUndefined();
  });

  it('takes the best score; a zone whose past says nothing yet before any score, the oldest run first; ties to the first', () => {
    expect(bestZone([1, 3, 2], [0, 0, 0])).toBe(1);
    expect(bestZone([2, 2], [0, 500])).toBe(0);
    expect(bestZone([1, undefined, 5], [0, 0, 9000])).toBe(1);
    expect(bestZone([undefined, 5, undefined], [100, 9000, 300])).toBe(2);
    expect(bestZone([undefined, undefined], [300, 300])).toBe(0);
    expect(bestZone([], [])).toBe(-1);
  });
});
