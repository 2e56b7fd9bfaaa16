import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { referenceBound, referenceSchedule } from './reference.js';

const trace = (available: number[], gapS = 3600) => ({ name: 't', gapS, available });
const od = { speed: 1, pricePerHour: dec(3), provisioningDelayS: 0 };
const spotOf = (available: number[], o: Partial<{ speed: number; provisioningDelayS: number }> = {}) => ({ speed: 1, pricePerHour: dec(1), provisioningDelayS: 0, trace: trace(available), ...o });

describe('perfect-foresight reference', () => {
  it('all spot when spot is always there', () => {
    const r = referenceSchedule({ arrivalS: 0, deadlineS: 7200, workS: 3600, restartOverheadS: 60 }, spotOf([1]), od);
    expect(r!.cost.toFixed()).toBe('1');
    expect(r!.onDemandS).toBe(0);
  });

  it('all on-demand, provisioning billed, when spot never is', () => {
    const r = referenceSchedule({ arrivalS: 0, deadlineS: 7200, workS: 3600, restartOverheadS: 60 }, spotOf([0]), { ...od, provisioningDelayS: 120 });
    // (3600 + 120) s at 3/h.
    expect(r!.cost.toFixed()).toBe('3.1');
  });

  it('spot while it lasts, then on-demand with the restart (hand-computed)', () => {
    // Spot the first hour only; 2 h of work by 4 h; restart 60 s. Spot 0–3600 ($1), then on-demand
    // from 3600: 60 s restart + 3600 s of work = 3660 s at 3/h ($3.05). All on-demand would be $6.
    const r = referenceSchedule({ arrivalS: 0, deadlineS: 4 * 3600, workS: 7200, restartOverheadS: 60 }, spotOf([1, 0, 0, 0, 0, 0]), od);
    expect(r!.cost.toFixed()).toBe('4.05');
    expect(r!.spotS).toBe(3600);
    expect(r!.onDemandS).toBe(3660);
  });

  it('waits for spot that comes back in time rather than paying on-demand', () => {
    // Spot gone for the first 2 h, then back: 1 h of work by 4 h → idle 2 h, spot 2–3 h: $1.
    const r = referenceSchedule({ arrivalS: 0, deadlineS: 4 * 3600, workS: 3600, restartOverheadS: 60 }, spotOf([0, 0, 1, 1]), od);
    expect(r!.cost.toFixed()).toBe('1');
  });

  it('skips a spot window too short to pay for its provisioning', () => {
    // Spot for 10 min at the start (gap 600 s), provisioning 600 s: nothing gets done there.
    // Work 1 h by 2 h: on-demand from 0 → $3 (starting on spot would pay 10 min for no work).
    const r = referenceSchedule({ arrivalS: 0, deadlineS: 7200, workS: 3600, restartOverheadS: 0 }, { ...spotOf([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], { provisioningDelayS: 600 }), trace: trace([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 600) }, od);
    expect(r!.cost.toFixed()).toBe('3');
  });

  it('is undefined when on-demand alone cannot make the deadline', () => {
    expect(referenceSchedule({ arrivalS: 0, deadlineS: 3000, workS: 3600, restartOverheadS: 0 }, spotOf([0]), od)).toBeUndefined();
  });
});

describe('the Lagrangian bound', () => {
  const cases = [
    { job: { arrivalS: 0, deadlineS: 7200, workS: 3600, restartOverheadS: 60 }, spot: spotOf([1]) },
    { job: { arrivalS: 0, deadlineS: 4 * 3600, workS: 7200, restartOverheadS: 60 }, spot: spotOf([1, 0, 0, 0, 0, 0]) },
    { job: { arrivalS: 0, deadlineS: 4 * 3600, workS: 3600, restartOverheadS: 60 }, spot: spotOf([0, 0, 1, 1]) },
    { job: { arrivalS: 1000, deadlineS: 30000, workS: 15000, restartOverheadS: 300 }, spot: { ...spotOf([1, 0, 1, 1, 0, 0, 1, 0], { provisioningDelayS: 180 }), trace: trace([1, 0, 1, 1, 0, 0, 1, 0], 1950) } },
  ];
  it('is never above the exact programme, and close to it', () => {
    for (const c of cases) {
      const exact = referenceSchedule(c.job, c.spot, { ...od, provisioningDelayS: 120 })!.cost.toNumber();
      const bound = referenceBound(c.job, c.spot, { ...od, provisioningDelayS: 120 })!;
      expect(bound).toBeLessThanOrEqual(exact + 1e-9);
      expect(bound).toBeGreaterThan(exact * 0.95);
    }
  });
  it('is undefined when on-demand alone cannot make the deadline', () => {
    expect(referenceBound({ arrivalS: 0, deadlineS: 3000, workS: 3600, restartOverheadS: 0 }, spotOf([0]), od)).toBeUndefined();
  });
});

describe('several spot zones', () => {
  // Zone a ($1/h) is up the first hour only, zone b ($1.2/h) the second and third; on-demand $3/h.
  // 2 h of work by 3 h, restart 60 s, no provisioning delays.
  const a = spotOf([1, 0, 0]);
  const b = { ...spotOf([0, 1, 1]), pricePerHour: dec('1.2') };
  const job = { arrivalS: 0, deadlineS: 3 * 3600, workS: 7200, restartOverheadS: 60 };
  it('moves between zones when that is cheapest (hand-computed)', () => {
    // a 0–3600 ($1, 3600 s of work), then b from 3600: 60 s restart + 3600 s of work = 3660 s at
    // 1.2/h ($1.22): $2.22. Zone a alone: a's hour then 3660 s on-demand = $4.05; b alone: 3600–10800
    // = $2.40; on-demand alone $6.
    const both = referenceSchedule(job, [a, b], od)!;
    expect(both.cost.toFixed()).toBe('2.22');
    expect(both.spotS).toBe(7260);
    expect(both.onDemandS).toBe(0);
    expect(referenceSchedule(job, [a], od)!.cost.toFixed()).toBe('4.05');
    expect(referenceSchedule(job, [b], od)!.cost.toFixed()).toBe('2.4');
  });
  it('the Lagrangian bound is never above the exact programme, with zones of different ticks', () => {
    const c = { ...spotOf([1, 0, 1, 1, 0, 0, 1, 0], { provisioningDelayS: 180 }), trace: trace([1, 0, 1, 1, 0, 0, 1, 0], 1950) };
    const d = { ...spotOf([0, 1, 1, 0, 1], { provisioningDelayS: 60 }), pricePerHour: dec('1.1'), trace: trace([0, 1, 1, 0, 1], 1300) };
    const j = { arrivalS: 1000, deadlineS: 30000, workS: 15000, restartOverheadS: 300 };
    const odp = { ...od, provisioningDelayS: 120 };
    for (const zones of [[a, b], [c, d], [c], [d], [a, b, c, d]]) {
      const exact = referenceSchedule(j, zones, odp)!.cost.toNumber();
      const bound = referenceBound(j, zones, odp)!;
      expect(bound).toBeLessThanOrEqual(exact + 1e-9);
      expect(bound).toBeGreaterThan(exact * 0.95);
    }
    // More zones can only help: the bound with both is at most either's alone.
    expect(referenceBound(j, [c, d], odp)!).toBeLessThanOrEqual(Math.min(referenceBound(j, [c], odp)!, referenceBound(j, [d], odp)!) + 1e-9);
    // The dual misses the overheads' indivisibility a little: below the exact $2.22, within 1%.
    const ab = referenceBound(job, [a, b], od)!;
    expect(ab).toBeLessThanOrEqual(2.22 + 1e-9);
    expect(ab).toBeGreaterThan(2.2);
  });
});
