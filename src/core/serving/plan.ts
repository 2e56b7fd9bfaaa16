/**
 * The serving plan: the cheapest replica schedule, interval by interval, with capacity for the
 * demand. One GPU type serves the whole schedule (one pool behind one balancer), so the model
 * chooses the type too.
 *
 * Sets: intervals k = 1..K of length h hours; profiles g (a model on a GPU type); markets
 * m ∈ {on-demand, spot}.
 * Data: λ_k demand (requests/s), c_g a replica's capacity at the target utilisation (requests/s),
 * p_gm the price of a replica-hour, s_g the start-up time in hours, a_k ∈ {0, 1} spot available
 * through interval k (from the spot trace), σ the least share of demand on-demand replicas cover.
 * Variables: x_gmk ∈ ℤ≥0 replicas serving, l_gmk ≥ 0 replicas launched, y_g ∈ {0, 1} type chosen.
 *
 *   minimise   Σ_gmk p_gm (h x_gmk + s_g l_gmk)
 *   subject to Σ_gm c_g x_gmk ≥ max(λ_k, φ)              (capacity, every k; φ a floor for bursts
 *                                                         shorter than an interval)
 *              Σ_g c_g x_g,od,k ≥ σ λ_k                   (on-demand floor)
 *              Σ_gm x_gmk ≥ 1                             (something serves)
 *              l_gmk ≥ x_gmk − x_gm,k−1  (x_gm0 = 0)      (a start-up is paid per launch)
 *              x_g,spot,k ≤ a_k U_g ;  x_gmk ≤ U_g y_g ;  Σ_g y_g = 1
 * with U_g = ⌈max(max_k λ_k, φ) / c_g⌉ + 1, the most replicas of type g any interval needs.
 */
import { Infeasible } from '../errors.js';
import { LpBuilder, type LpModel } from '../planner/lp.js';
import type { ScaleTarget } from './autoscale.js';
import type { ReplicaProfile } from './replica.js';

export interface PlanCandidate {
  profile: ReplicaProfile;
  capacityPerReplicaPerS: number;
  onDemandUsdPerHour: number;
  spotUsdPerHour?: number;
}

export interface ServingPlanInput {
  demandPerS: ArrayLike<number>;
  intervalS: number;
  candidates: PlanCandidate[];
  /** 1 where spot capacity is there for the whole interval. */
  spotAvailable?: ArrayLike<number>;
  onDemandShare?: number;
  /** Capacity (requests/s) every interval keeps at least: bursts shorter than an interval need it. */
  minCapacityPerS?: number;
}

export interface ServingPlanDecoded {
  candidate: number;
  perInterval: ScaleTarget[];
  objectiveUsd: number;
}

export function buildServingPlan(o: ServingPlanInput): LpModel {
  const K = o.demandPerS.length;
  if (K === 0) throw new Infeasible('no intervals to plan', ['the workload is empty']);
  if (o.candidates.length === 0) throw new Infeasible('no replica type to plan with', ['every profile was ruled out']);
  const b = new LpBuilder('serving-plan');
  const h = o.intervalS / 3600;
  const sigma = o.onDemandShare ?? 0;
  let peak = 0;
  for (let k = 0; k < K; k++) peak = Math.max(peak, o.demandPerS[k]!);
  const y: number[] = [];
  const x: number[][][] = [];
  o.candidates.forEach((c, g) => {
    const U = Math.ceil(Math.max(peak, o.minCapacityPerS ?? 0) / c.capacityPerReplicaPerS) + 1;
    y.push(b.addCol(`y_${g}`, 0, 0, 1, true));
    const markets: [string, number | undefined][] = [['od', c.onDemandUsdPerHour], ['spot', c.spotUsdPerHour]];
    x.push(
      markets.map(([m, price]) => {
        const cols: number[] = [];
        let prev = -1;
        for (let k = 0; k < K; k++) {
          const spotOff = m === 'spot' && (price === undefined || (o.spotAvailable && !o.spotAvailable[k]));
          const xc = b.addCol(`x_${g}_${m}_${k}`, (price ?? 0) * h, 0, spotOff ? 0 : U, true);
          const lc = b.addCol(`l_${g}_${m}_${k}`, (price ?? 0) * (c.profile.startupS / 3600), 0, U, false);
          b.addRow(`launch_${g}_${m}_${k}`, prev >= 0 ? [lc, xc, prev] : [lc, xc], prev >= 0 ? [1, -1, 1] : [1, -1], 0, Infinity);
          b.addRow(`type_${g}_${m}_${k}`, [xc, y[g]!], [1, -U], -Infinity, 0);
          cols.push(xc);
          prev = xc;
        }
        return cols;
      }),
    );
  });
  b.addRow('one_type', y, y.map(() => 1), 1, 1);
  for (let k = 0; k < K; k++) {
    const idx: number[] = [];
    const cap: number[] = [];
    const od: number[] = [];
    const odCap: number[] = [];
    o.candidates.forEach((c, g) => {
      for (let m = 0; m < 2; m++) {
        idx.push(x[g]![m]![k]!);
        cap.push(c.capacityPerReplicaPerS);
      }
      od.push(x[g]![0]![k]!);
      odCap.push(c.capacityPerReplicaPerS);
    });
    b.addRow(`capacity_${k}`, idx, cap, Math.max(o.demandPerS[k]!, o.minCapacityPerS ?? 0), Infinity);
    if (sigma > 0) b.addRow(`on_demand_floor_${k}`, od, odCap, sigma * o.demandPerS[k]!, Infinity);
    b.addRow(`serve_${k}`, idx, idx.map(() => 1), 1, Infinity);
  }
  return b.m;
}

/** Read the solution back: the chosen type and its replicas per interval (by the column names). */
export function decodeServingPlan(m: LpModel, values: ArrayLike<number>, objective: number): ServingPlanDecoded {
  let candidate = -1;
  const per = new Map<number, ScaleTarget>();
  m.colNames.forEach((name, i) => {
    const v = Math.round(values[i] ?? 0);
    const y = /^y_(\d+)$/.exec(name);
    if (y && v === 1) candidate = Number(y[1]);
  });
  m.colNames.forEach((name, i) => {
    const x = /^x_(\d+)_(od|spot)_(\d+)$/.exec(name);
    if (!x || Number(x[1]) !== candidate) return;
    const k = Number(x[3]);
    const t = per.get(k) ?? { onDemand: 0, spot: 0 };
    if (x[2] === 'od') t.onDemand = Math.round(values[i] ?? 0);
    else t.spot = Math.round(values[i] ?? 0);
    per.set(k, t);
  });
  const perInterval = [...per.keys()].sort((a, b) => a - b).map((k) => per.get(k)!);
  return { candidate, perInterval, objectiveUsd: objective };
}
