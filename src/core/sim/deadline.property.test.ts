/**
 * The deadline guarantee as a property: over random spot traces (single-instance and counted),
 * random delays, restarts, checkpoints, speeds and jobs, the deadline rules never miss a deadline
 * that on-demand alone could meet, provided on-demand capacity exists (one node per job here).
 */
import { describe, expect, it } from 'vitest';
import { randomCase } from '../../../test/random-spot-case.js';
import { spotReference } from './reference.js';
import { compare, simulate } from './simulate.js';

describe('deadline guarantee (property, 400 seeded random cases)', () => {
  it('deadline-aware, greedy, slack-reserve and spot-hazard never miss, and never pay less than the perfect-foresight bound; always-spot misses, so the cases are not trivial', () => {
    let alwaysSpotMisses = 0;
    let spotUsed = 0;
    let jobsWithDeadline = 0;
    let bounded = 0;
    // Cases where spot-hazard chose otherwise than slack-reserve: its own decisions were exercised.
    let hazardDiffers = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const inp = randomCase(seed);
      // The bound's programme is the slow part (about 0.1 s a case): checked on the first 50 cases.
      const ref = seed <= 50 ? spotReference(inp) : undefined;
      const reports = compare(inp, ['deadline-aware', 'greedy', 'slack-reserve', 'spot-hazard']);
      for (const r of reports) {
        if (r.jobs.deadlineMisses !== 0 || r.jobs.finished !== inp.jobs.length) {
          throw new Error(`seed ${seed}, ${r.policy}: ${r.jobs.deadlineMisses} of ${r.jobs.withDeadline} deadlines missed, ${r.jobs.finished} finished`);
        }
        if (r.policy !== 'greedy' && r.cost.byPricing.spot.gt(0)) spotUsed++;
        // The bound is only a bound if no schedule the engine plays can beat it.
        if (ref && r.cost.total.lt(ref.cost)) throw new Error(`seed ${seed}, ${r.policy}: ${r.cost.total.toFixed()} below the bound ${ref.cost.toFixed()}`);
      }
      if (!reports[3]!.cost.total.eq(reports[2]!.cost.total)) hazardDiffers++;
      if (ref) bounded++;
      jobsWithDeadline += inp.jobs.length;
      alwaysSpotMisses += simulate(inp, 'always-spot').jobs.deadlineMisses;
    }
    expect(spotUsed).toBeGreaterThan(400);
    expect(bounded).toBe(50);
    expect(hazardDiffers).toBeGreaterThan(100);
    expect(alwaysSpotMisses).toBeGreaterThan(jobsWithDeadline / 10);
  });

  // The same cases with every job a gang on two nodes (on-demand room for all of them): a gang's
  // move to on-demand orders both nodes at once, so its last safe moment holds as a job's does.
  it('holds for gangs across two nodes (400 cases)', () => {
    let spotUsed = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const base = randomCase(seed);
      const inp = { ...base, pools: base.pools.map((p) => (p.pricing === 'on-demand' ? { ...p, maxNodes: 2 * base.jobs.length } : p)), jobs: base.jobs.map((j) => ({ ...j, gpus: 2 * j.gpus, nodes: 2 })) };
      for (const policy of ['deadline-aware', 'greedy', 'slack-reserve', 'spot-hazard']) {
        const r = simulate(inp, policy);
        if (r.jobs.deadlineMisses !== 0 || r.jobs.finished !== inp.jobs.length) {
          throw new Error(`seed ${seed}, ${policy}: ${r.jobs.deadlineMisses} of ${r.jobs.withDeadline} deadlines missed, ${r.jobs.finished} finished`);
        }
        if (policy === 'greedy' && r.cost.byPricing.spot.gt(0)) spotUsed++;
      }
    }
    expect(spotUsed).toBeGreaterThan(150);
  });
});
