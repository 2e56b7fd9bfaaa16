/**
 * When to use spot and when to pay for on-demand, for a job with a deadline: the "uniform progress"
 * rule of Wu et al., "Can't Be Late: Optimizing Spot Instance Savings under Deadlines" (NSDI'24).
 *
 * A job of total work W with arrival a and deadline D should have done W·(t−a)/(D−a) by time t.
 * - Safety net: when the time left is no more than the work left plus twice the changeover time
 *   (restart overhead + provisioning), go on-demand and stay there: no later choice can save it.
 * - Spot available: use it (it is the cheap market).
 * - Spot unavailable and behind the uniform-progress line (by more than one changeover): on-demand
 *   now, until the job ends.
 * - Spot unavailable and ahead of the line: wait (it costs nothing) until spot returns, the job
 *   falls behind the line, or the safety net is reached, whichever comes first.
 * A job without a deadline always waits for spot.
 */
export type Market = 'spot' | 'on-demand' | 'wait';

export interface ProgressState {
  t: number;
  arrivalS: number;
  deadlineS: number | undefined;
  totalWorkS: number;
  remainingWorkS: number;
  /** Time a switch costs: restart overhead plus provisioning delay. */
  changeoverS: number;
  spotAvailable: boolean;
  /** Speed of on-demand GPUs relative to the work's reference. */
  onDemandSpeed: number;
  /** Already committed to on-demand. */
  committed: boolean;
}

export interface MarketChoice {
  market: Market;
  committed: boolean;
  /** For `wait`: when to decide again if spot does not come back first. */
  wakeAtS?: number;
}

export function uniformProgress(s: ProgressState): MarketChoice {
  if (s.committed) return { market: 'on-demand', committed: true };
  if (s.deadlineS === undefined || !Number.isFinite(s.totalWorkS)) return { market: s.spotAvailable ? 'spot' : 'wait', committed: false };
  const needS = s.remainingWorkS / s.onDemandSpeed;
  const safetyAt = s.deadlineS - needS - 2 * s.changeoverS;
  if (s.t >= safetyAt) return { market: 'on-demand', committed: true };
  if (s.spotAvailable) return { market: 'spot', committed: false };
  const span = s.deadlineS - s.arrivalS;
  const done = s.totalWorkS - s.remainingWorkS;
  // The line reaches `done` at a + done·(D−a)/W; one changeover of grace keeps a job that has just
  // arrived (done = 0 = expected) from being pushed to on-demand at once.
  const behindAt = s.arrivalS + (span > 0 ? (done * span) / s.totalWorkS : 0) + s.changeoverS;
  if (s.t >= behindAt) return { market: 'on-demand', committed: false };
  return { market: 'wait', committed: false, wakeAtS: Math.min(behindAt, safetyAt) };
}
