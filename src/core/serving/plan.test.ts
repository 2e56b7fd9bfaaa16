import { describe, expect, it } from 'vitest';
import { HighsSolver } from '../../adapters/solver/highs.js';
import { buildServingPlan, decodeServingPlan, type PlanCandidate } from './plan.js';
import type { ReplicaProfile } from './replica.js';

const prof = (gpu: string, startupS: number): ReplicaProfile => ({ model: 'm', gpu, gpusPerReplica: 1, prefillTokensPerS: 1000, decodeStepBaseS: 0.01, decodeStepPerKvTokenS: 0, kvCapacityTokens: 1e5, maxBatch: 64, startupS, source: 'test' });

/** Brute force over one type's schedules: each interval takes the fewest replicas, cheapest market. */
function bruteForce(demand: number[], c: PlanCandidate, spotOk: number[], hours: number): number {
  // With launches costed, the cheapest schedule may keep replicas; enumerate counts 0..U per interval and market.
  const U = Math.ceil(Math.max(...demand) / c.capacityPerReplicaPerS) + 1;
  let best = Infinity;
  const K = demand.length;
  const rec = (k: number, prevOd: number, prevSp: number, cost: number) => {
    if (cost >= best) return;
    if (k === K) return void (best = cost);
    for (let od = 0; od <= U; od++)
      for (let sp = 0; sp <= (spotOk[k] && c.spotUsdPerHour !== undefined ? U : 0); sp++) {
        if ((od + sp) * c.capacityPerReplicaPerS < demand[k]! || od + sp < 1) continue;
        const s = c.profile.startupS / 3600;
        const add = c.onDemandUsdPerHour * (hours * od + s * Math.max(0, od - prevOd)) + (c.spotUsdPerHour ?? 0) * (hours * sp + s * Math.max(0, sp - prevSp));
        rec(k + 1, od, sp, cost + add);
      }
  };
  rec(0, 0, 0, 0);
  return best;
}

describe('serving plan MILP', () => {
  it('matches brute force and picks the cheaper type, spot only where the trace has it', async () => {
    const demand = [3, 7, 12, 5];
    const spotOk = [1, 0, 1, 1];
    const cands: PlanCandidate[] = [
      { profile: prof('A', 600), capacityPerReplicaPerS: 4, onDemandUsdPerHour: 4, spotUsdPerHour: 1.2 },
      { profile: prof('B', 120), capacityPerReplicaPerS: 1.5, onDemandUsdPerHour: 1, spotUsdPerHour: 0.5 },
    ];
    const m = buildServingPlan({ demandPerS: demand, intervalS: 3600, candidates: cands, spotAvailable: spotOk });
    const sol = await new HighsSolver().solve(m);
    expect(sol.status).toBe('optimal');
    const d = decodeServingPlan(m, sol.values, sol.objective);
    const bf = cands.map((c) => bruteForce(demand, c, spotOk, 1));
    expect(sol.objective).toBeCloseTo(Math.min(...bf), 6);
    expect(d.candidate).toBe(bf.indexOf(Math.min(...bf)));
    expect(d.perInterval[1]!.spot).toBe(0);
    d.perInterval.forEach((t, k) => expect((t.onDemand + t.spot) * cands[d.candidate]!.capacityPerReplicaPerS).toBeGreaterThanOrEqual(demand[k]!));
  });

  it('keeps the on-demand floor', async () => {
    const cands: PlanCandidate[] = [{ profile: prof('A', 60), capacityPerReplicaPerS: 1, onDemandUsdPerHour: 4, spotUsdPerHour: 1 }];
    const m = buildServingPlan({ demandPerS: [4, 4], intervalS: 3600, candidates: cands, onDemandShare: 0.5 });
    const sol = await new HighsSolver().solve(m);
    const d = decodeServingPlan(m, sol.values, sol.objective);
    expect(d.perInterval).toEqual([{ onDemand: 2, spot: 2 }, { onDemand: 2, spot: 2 }]);
  });
});
