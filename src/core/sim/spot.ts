/**
 * When to use spot and when to pay for on-demand, for a job with a deadline.
 *
 * The guarantee (both rules below): a job never misses its deadline while on-demand capacity
 * exists. It rests on one number, the last safe moment to switch to on-demand:
 *
 *   lastSafe = D − restart − on-demand provisioning − W_saved / on-demand speed
 *
 * where W_saved is the work left if spot were lost right now (for a job running on spot: the work
 * left at its last checkpoint, since everything after it is lost on a preemption). Every delay a
 * switch can cost is in it: spot provisioning is spent before lastSafe (a job only goes to spot when
 * provisioning and restart still end before it), the on-demand order and the restart after it, and
 * the work since the checkpoint. The engine schedules lastSafe as an event for every job on spot
 * (running, or queued for a spot node), so the switch happens at that moment, not at the next
 * trace change; at lastSafe the job moves to on-demand for good (a planned move: state saved first).
 *
 * `uniformProgress` is "uniform progress" from Wu et al., "Can't Be Late: Optimizing Spot Instance
 * Savings under Deadlines" (NSDI'24) on top of that guarantee:
 * - spot available and worth going to (provisioning + restart + `minSpotRunS` end before lastSafe): spot;
 * - spot unavailable and behind the straight line from arrival to deadline (by more than `graceS`):
 *   on-demand now (not committed: it may move back to spot);
 * - spot unavailable and ahead of the line: wait (free) until spot returns, the job falls behind the
 *   line, or lastSafe, whichever comes first.
 * `greedy` is the paper's baseline: spot while available, wait while not, on-demand for good at lastSafe.
 */
export type Market = 'spot' | 'on-demand' | 'wait';

export interface ProgressState {
  t: number;
  arrivalS: number;
  deadlineS: number | undefined;
  totalWorkS: number;
  /** Work left (reference seconds) if spot were lost now: for a job on spot, at its last checkpoint. */
  remainingWorkS: number;
  /** Time lost on a restart (loading the checkpoint). */
  restartS: number;
  /** From ordering an on-demand node to it taking the job (0 when one is always there). */
  onDemandDelayS: number;
  /** From ordering a spot node to it taking the job. */
  spotDelayS: number;
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

/** The tunable part of uniform progress; the guarantee does not depend on these. */
export interface UniformProgressTuning {
  /** How far (in changeovers: restart + the market's provisioning) behind the line a waiting job may fall before it buys on-demand. */
  graceChangeovers: number;
  /** Go to spot only if this much productive time (in spot changeovers) is left before lastSafe. */
  minSpotRunChangeovers: number;
  /** Move from on-demand back to spot only when ahead of the line by this many changeovers… */
  backAheadChangeovers: number;
  /** …and with more work left than this many changeovers. */
  backMinWorkChangeovers: number;
}

/** The margins Penny used first (one changeover of grace, back to spot two changeovers ahead with four of work left). */
export const FIRST_TUNING: UniformProgressTuning = { graceChangeovers: 1, minSpotRunChangeovers: 1, backAheadChangeovers: 2, backMinWorkChangeovers: 4 };
/**
 * The cheapest uniform-progress margins measured on the nine real AWS V100 traces (bench/spot-deadline.bench.ts,
 * 2026-12-02; docs/simulator.md): eight changeovers of grace, back to spot one changeover ahead with two of work left.
 */
export const DEFAULT_TUNING: UniformProgressTuning = { graceChangeovers: 8, minSpotRunChangeovers: 1, backAheadChangeovers: 1, backMinWorkChangeovers: 2 };

/**
 * Floating-point slack kept before the deadline: lastSafe is computed from sums of seconds, and a
 * job that finishes a rounding error after its deadline has missed it.
 */
const GUARD_S = 1e-3;

/** The last moment a switch to on-demand still finishes the work left by the deadline. */
export function lastSafeS(s: Pick<ProgressState, 'deadlineS' | 'remainingWorkS' | 'restartS' | 'onDemandDelayS' | 'onDemandSpeed'>): number {
  if (s.deadlineS === undefined) return Infinity;
  return s.deadlineS - s.restartS - s.onDemandDelayS - s.remainingWorkS / s.onDemandSpeed - GUARD_S;
}

/** When the uniform-progress line reaches the work done so far: a + done·(D−a)/W. */
function lineAt(s: ProgressState, deadlineS: number): number {
  const span = deadlineS - s.arrivalS;
  return s.arrivalS + (span > 0 && s.totalWorkS > 0 ? ((s.totalWorkS - s.remainingWorkS) * span) / s.totalWorkS : 0);
}

const spotChangeover = (s: ProgressState) => s.spotDelayS + s.restartS;
const onDemandChangeover = (s: ProgressState) => s.onDemandDelayS + s.restartS;

/** Is going to spot now still worth it: does a run of `minRunS` fit before lastSafe? */
function spotWorthIt(s: ProgressState, safe: number, minRunS: number): boolean {
  return s.t + spotChangeover(s) + minRunS < safe;
}

/**
 * What every deadline rule decides alike: committed stays on-demand; without a deadline, spot when
 * it is there; at the last safe moment, on-demand for good; with spot up, spot while a run of
 * `minSpotRunChangeovers` changeovers still fits before the last safe moment, else on-demand for
 * good. Otherwise (spot down, time to spare) the rule's own choice: `safe` is the last safe moment.
 */
function decideCommon(s: ProgressState, minSpotRunChangeovers: number): MarketChoice | { safe: number; deadlineS: number } {
  if (s.committed) return { market: 'on-demand', committed: true };
  if (s.deadlineS === undefined || !Number.isFinite(s.totalWorkS)) return { market: s.spotAvailable ? 'spot' : 'wait', committed: false };
  const safe = lastSafeS(s);
  if (s.t >= safe) return { market: 'on-demand', committed: true };
  if (s.spotAvailable) {
    if (spotWorthIt(s, safe, minSpotRunChangeovers * spotChangeover(s))) return { market: 'spot', committed: false };
    return { market: 'on-demand', committed: true };
  }
  return { safe, deadlineS: s.deadlineS };
}

export function uniformProgress(s: ProgressState, k: UniformProgressTuning = DEFAULT_TUNING): MarketChoice {
  const common = decideCommon(s, k.minSpotRunChangeovers);
  if ('market' in common) return common;
  const { safe, deadlineS } = common;
  const behindAt = lineAt(s, deadlineS) + k.graceChangeovers * onDemandChangeover(s);
  if (s.t >= behindAt) return { market: 'on-demand', committed: false };
  return { market: 'wait', committed: false, wakeAtS: Math.min(behindAt, safe) };
}

/** The paper's greedy baseline: spot while available, wait while not, on-demand for good at the last safe moment. */
export function greedy(s: ProgressState): MarketChoice {
  if (s.committed) return { market: 'on-demand', committed: true };
  if (s.deadlineS === undefined || !Number.isFinite(s.totalWorkS)) return { market: s.spotAvailable ? 'spot' : 'wait', committed: false };
  const safe = lastSafeS(s);
  if (s.t >= safe) return { market: 'on-demand', committed: true };
  if (s.spotAvailable) return spotWorthIt(s, safe, 0) ? { market: 'spot', committed: false } : { market: 'on-demand', committed: true };
  return { market: 'wait', committed: false, wakeAtS: safe };
}

/** A job running on on-demand, not committed, with spot back: should it move (a planned move, no work lost)? */
export function backToSpot(s: ProgressState, k: UniformProgressTuning = DEFAULT_TUNING): boolean {
  if (s.committed || s.deadlineS === undefined || !Number.isFinite(s.totalWorkS) || s.totalWorkS <= 0) return false;
  const c = spotChangeover(s);
  const safe = lastSafeS(s);
  return s.t + k.backAheadChangeovers * c < lineAt(s, s.deadlineS) && spotWorthIt(s, safe, k.minSpotRunChangeovers * c) && s.remainingWorkS / s.onDemandSpeed > k.backMinWorkChangeovers * c;
}

/**
 * The margins of `slackReserve`, in seconds of slack (lastSafe − now). The guarantee does not depend on them.
 */
export interface SlackReserveTuning {
  /** While spot is gone, wait only while the slack is above this share of the on-demand time the work left needs… */
  reserveShare: number;
  /** …plus this many changeovers (spot + on-demand, each with its restart). */
  reserveChangeovers: number;
  /** Leave on-demand for spot that is back only with more slack than this many changeovers (spot + on-demand)… */
  backChangeovers: number;
  /** …plus this many checkpoint intervals (the work a preemption may take). */
  backCheckpoints: number;
  /** Go to spot only if this much productive time (in spot changeovers) is left before lastSafe. */
  minSpotRunChangeovers: number;
}

/** Chosen on job seed 2 of the nine real traces (bench/spot-deadline.bench.ts, SPOT_BENCH_SEED=2); reported on seed 1. */
export const RESERVE_TUNING: SlackReserveTuning = { reserveShare: 0.2, reserveChangeovers: 1, backChangeovers: 1, backCheckpoints: 0.5, minSpotRunChangeovers: 1 };

/**
 * "Slack reserve": slack (lastSafe − now) is the only budget a deadline job has, and nothing refills
 * it while spot and on-demand run at one speed: waiting, provisioning, restarts and the work a
 * preemption takes all spend it. Greedy spends it first come, first served, and once it is gone the
 * job sits on on-demand for good, however long spot then stays up. This rule keeps a reserve:
 * - spot up and a run worth it: spot (as greedy);
 * - spot gone: wait while the slack is above the reserve (a share of the work left plus a few
 *   changeovers), then on-demand, not for good;
 * - on on-demand with spot back (`backToSpotReserve`): move back (a planned move, state saved) when
 *   the slack still pays for the move and for one preemption (a checkpoint interval of lost work and
 *   the way back to on-demand), so the job returns to spot every time spot comes back while it can.
 * The last safe moment is the same as greedy's, so the no-miss guarantee is the same.
 */
export function slackReserve(s: ProgressState, k: SlackReserveTuning = RESERVE_TUNING): MarketChoice {
  const common = decideCommon(s, k.minSpotRunChangeovers);
  if ('market' in common) return common;
  // Compared as the wake-up time itself, so a job woken then does not wait again by a rounding error.
  const wakeAtS = reserveWakeS(s, common.safe, k);
  if (s.t < wakeAtS - GUARD_S) return { market: 'wait', committed: false, wakeAtS };
  return { market: 'on-demand', committed: false };
}

/**
 * When the slack falls to slack-reserve's reserve (a share of the on-demand time of the work left,
 * plus changeover pairs): until then a job may wait for spot, from then on it buys on-demand.
 */
function reserveWakeS(s: ProgressState, safe: number, k: SlackReserveTuning): number {
  return safe - (k.reserveShare * (s.remainingWorkS / s.onDemandSpeed) + k.reserveChangeovers * (spotChangeover(s) + onDemandChangeover(s)));
}

/** slackReserve's move from on-demand back to spot: does the slack pay for the move and one preemption? */
export function backToSpotReserve(s: ProgressState & { checkpointS: number }, k: SlackReserveTuning = RESERVE_TUNING): boolean {
  if (s.committed || s.deadlineS === undefined || !Number.isFinite(s.totalWorkS) || s.totalWorkS <= 0) return false;
  const safe = lastSafeS(s);
  const c = spotChangeover(s);
  const lossS = s.checkpointS > 0 ? Math.min(s.checkpointS, s.remainingWorkS) : s.remainingWorkS;
  const need = c + k.backChangeovers * (c + onDemandChangeover(s)) + k.backCheckpoints * lossS;
  return safe - s.t > need && spotWorthIt(s, safe, k.minSpotRunChangeovers * c);
}

/**
 * What an operator knows of a spot pool at a moment, from its trace up to that moment and never
 * after: how long spot has been up now, and how long the pool's earlier runs of availability
 * lasted (only runs that have ended). The engine builds it from the ticks before now.
 */
export interface SpotPast {
  /** How long spot has been up in the pool now (seconds, from the tick it came back). */
  ageS: number;
  /** Lengths in seconds of the pool's runs of availability that ended before now. */
  upRunsS: readonly number[];
  /** Speed of the pool's GPUs relative to the work's reference. */
  spotSpeed: number;
  /** Spot price over on-demand price, per GPU-hour. */
  priceRatio: number;
  /** The trace's tick: when to look again at a run not yet worth starting. */
  tickS: number;
  /**
   * The pool's preemption notice when the job writes a checkpoint on it in time
   * (NodePool.spotNoticeS, SimJob.checkpointOnNoticeWriteS): a preempted run then keeps its work
   * up to the notice. Absent: only periodic checkpoints count.
   */
  noticeS?: number;
}

/** The margins of `spotHazard`: slack-reserve's, and how the past is weighed. The guarantee does not depend on them. */
export interface SpotHazardTuning extends SlackReserveTuning {
  /**
   * What a second of slack is worth, in on-demand seconds, per unit of pressure (the on-demand time
   * the work left needs over the slack): a run that ends before a checkpoint spends slack that
   * later forces on-demand.
   */
  slackValue: number;
  /** Runs of the past (longer than spot's age now) needed before the past is believed; with fewer, spot is tried. */
  minRuns: number;
}

/** Chosen on job seed 2 of the nine real traces (bench/spot-deadline.bench.ts, SPOT_BENCH_SEED=2); reported on seed 1. */
export const HAZARD_TUNING: SpotHazardTuning = { ...RESERVE_TUNING, slackValue: 0.4, minRuns: 5 };

/**
 * The expected value of starting a spot run now, in on-demand seconds (what on-demand would cost
 * for the work kept, less spot's bill, less the slack spent at `slackValue`), over the pool's past
 * runs of availability longer than spot's age now, each taken as how long this run would last: a
 * run's remaining length is its length less the age. Heavy tails make a young run a poor bet and an
 * old one a good one. The run keeps its work up to its last checkpoint (all of it when the work
 * ends first); a run cut before its first checkpoint keeps nothing and costs its bill and, after
 * it, the way back to on-demand. Undefined when fewer than `minRuns` past runs outlasted the age.
 */
export function spotRunValue(s: ProgressState & { checkpointS: number }, past: SpotPast, k: SpotHazardTuning = HAZARD_TUNING): number | undefined {
  const c = spotChangeover(s);
  const slackS = lastSafeS(s) - s.t;
  const odLeftS = s.remainingWorkS / s.onDemandSpeed;
  const slackPrice = (k.slackValue * odLeftS) / Math.max(slackS, 1);
  const speed = past.spotSpeed;
  const every = s.checkpointS;
  let n = 0;
  let sum = 0;
  for (const len of past.upRunsS) {
    if (len <= past.ageS) continue;
    n++;
    const runS = len - past.ageS;
    const productiveS = Math.max(0, runS - c);
    let workS: number;
    let billedS: number;
    let spentS: number;
    if (productiveS * speed >= s.remainingWorkS) {
      workS = s.remainingWorkS;
      billedS = c + s.remainingWorkS / speed;
      spentS = billedS;
    } else {
      const periodicS = every > 0 ? Math.floor(productiveS / every) * every : 0;
      workS = Math.max(periodicS, past.noticeS !== undefined ? productiveS - past.noticeS : 0) * speed;
      billedS = runS;
      spentS = runS + onDemandChangeover(s);
    }
    const workOdS = workS / s.onDemandSpeed;
    sum += workOdS - past.priceRatio * billedS - slackPrice * Math.max(0, spentS - workOdS);
  }
  if (n < k.minRuns) return undefined;
  return sum / n;
}

/**
 * "Spot hazard": slack-reserve, with spot runs chosen by the pool's past. Spot runs on these
 * traces are heavy-tailed: most are short, a few very long, so the longer spot has been up the
 * longer it tends to stay. Where slack-reserve goes to spot whenever it is up, this rule goes only
 * when the run is worth it by `spotRunValue` (a young run in a zone whose runs rarely reach a
 * checkpoint is not); otherwise it waits (looking again a tick later, as the run ages) while the
 * slack is above slack-reserve's reserve, and buys on-demand below it. Spot down: as slack-reserve.
 * The common part (last safe moment, committed, spot not worth it by the guarantee's own test) is
 * slack-reserve's, so the no-miss guarantee is the same.
 */
export function spotHazard(s: ProgressState & { checkpointS: number }, past: SpotPast | undefined, k: SpotHazardTuning = HAZARD_TUNING): MarketChoice {
  const common = decideCommon(s, k.minSpotRunChangeovers);
  // Without a deadline (or with endless work) there is no slack to price: spot whenever it is up, as slack-reserve.
  if ('market' in common && (common.market !== 'spot' || past === undefined || s.deadlineS === undefined || !Number.isFinite(s.totalWorkS))) return common;
  const safe = lastSafeS(s);
  if ('market' in common) {
    const v = spotRunValue(s, past!, k);
    if (v === undefined || v > 0) return common;
  }
  const wakeAtS = reserveWakeS(s, safe, k);
  if (s.t >= wakeAtS - GUARD_S) return { market: 'on-demand', committed: false };
  // Spot up but not worth it yet: look again a tick later, when the run has aged.
  return { market: 'wait', committed: false, wakeAtS: s.spotAvailable && past ? Math.min(wakeAtS, s.t + past.tickS) : wakeAtS };
}

/** spotHazard's move from on-demand back to spot: slack-reserve's test, and the run worth it by the past. */
export function backToSpotHazard(s: ProgressState & { checkpointS: number }, past: SpotPast | undefined, k: SpotHazardTuning = HAZARD_TUNING): boolean {
  if (!backToSpotReserve(s, k)) return false;
  if (past === undefined) return true;
  const v = spotRunValue(s, past, k);
  return v === undefined || v > 0;
}

/**
 * How much longer spot's run now is expected to last in a pool, from its past: the mean, over the
 * runs of availability that ended before now and lasted longer than spot's age now, of their
 * length less the age (the mean residual life of the runs). Heavy tails make it grow with the age.
 * Undefined when fewer than `minRuns` past runs outlasted the age.
 */
export function meanResidualS(past: Pick<SpotPast, 'ageS' | 'upRunsS'>, minRuns: number): number | undefined {
  let n = 0;
  let sum = 0;
  for (const len of past.upRunsS) {
    if (len <= past.ageS) continue;
    n++;
    sum += len - past.ageS;
  }
  return n < Math.max(1, minRuns) ? undefined : sum / n;
}

/**
 * Which of several spot zones (pools) to go to, by what each one's past says: `scores[i]` is zone
 * i's `spotRunValue` or `meanResidualS` (larger is better), `agesS[i]` how long spot has been up
 * there. A zone whose past says nothing (score undefined: too few of its past runs outlasted
 * spot's age there) ranks above every zone with a score, the oldest run first, as the rules try
 * spot where the past is not believed yet: once a zone has some history that is a run older than
 * nearly all its past runs, and on heavy-tailed runs the best bet of all. Ties go to the first
 * (the pools' order: the cheapest first). -1 for no zones.
 */
export function bestZone(scores: readonly (number | undefined)[], agesS: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < scores.length; i++) {
    if (best < 0) {
      best = i;
      continue;
    }
    const a = scores[i];
    const b = scores[best];
    if (a === undefined ? b !== undefined || agesS[i]! > agesS[best]! : b !== undefined && a > b) best = i;
  }
  return best;
}
