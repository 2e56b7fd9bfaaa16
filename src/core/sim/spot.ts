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
 * - On on-demand (not committed) when spot returns: move back to spot if the job is ahead of the
 *   line by more than two changeovers, short of the safety net by more than one, and the work left
 *   outlasts four changeovers (`backToSpot`): the move costs one changeover, the margins keep it
 *   from flapping and from moving for a tail not worth it.
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

/** The last moment on-demand can still finish the work left by the deadline, two changeovers spared. */
const safetyAt = (s: ProgressState, deadlineS: number) => deadlineS - s.remainingWorkS / s.onDemandSpeed - 2 * s.changeoverS;
/** When the uniform-progress line reaches the work done so far: a + done·(D−a)/W. */
function lineAt(s: ProgressState, deadlineS: number): number {
  const span = deadlineS - s.arrivalS;
  return s.arrivalS + (span > 0 ? ((s.totalWorkS - s.remainingWorkS) * span) / s.totalWorkS : 0);
}

export function uniformProgress(s: ProgressState): MarketChoice {
  if (s.committed) return { market: 'on-demand', committed: true };
  if (s.deadlineS === undefined || !Number.isFinite(s.totalWorkS)) return { market: s.spotAvailable ? 'spot' : 'wait', committed: false };
  const safety = safetyAt(s, s.deadlineS);
  if (s.t >= safety) return { market: 'on-demand', committed: true };
  if (s.spotAvailable) return { market: 'spot', committed: false };
  // One changeover of grace keeps a job that has just arrived (done = 0 = expected) from being
  // pushed to on-demand at once.
  const behindAt = lineAt(s, s.deadlineS) + s.changeoverS;
  if (s.t >= behindAt) return { market: 'on-demand', committed: false };
  return { market: 'wait', committed: false, wakeAtS: Math.min(behindAt, safety) };
}

/** A job running on on-demand, not committed, with spot back: should it move (a planned move, no work lost)? */
export function backToSpot(s: ProgressState): boolean {
  if (s.committed || s.deadlineS === undefined || !Number.isFinite(s.totalWorkS) || s.totalWorkS <= 0) return false;
  return s.t + 2 * s.changeoverS < lineAt(s, s.deadlineS) && s.t + s.changeoverS < safetyAt(s, s.deadlineS) && s.remainingWorkS / s.onDemandSpeed > 4 * s.changeoverS;
}
