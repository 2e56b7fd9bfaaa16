/**
 * Tier planning: the cheapest schedule of storage tiers over an object's (or a prefix's) age,
 * given how it is read, solved exactly as a small dynamic programme.
 *
 * Time is the object's age in months of 30 days (lifecycle rules count age in days since
 * creation, so a plan by age is one a rule can apply). A schedule puts the object in tier
 * s_0 at upload and moves it only to colder tiers (lifecycle rules move one way). Its cost:
 *
 *   upload        = objects/1000 × write(s_0)
 *   month k       = billedGiB(s_k) × storage(s_k) + overhead(s_k)
 *                   + readGiB_k × retrieval(s_k) + reads_k/1000 × read(s_k)
 *   move to t     = objects/1000 × transition(t) + early(s, m)
 *   early(s, m)   = monthly storage(s) × max(0, minDays(s) − 30·m)/30   (m months spent in s;
 *                   also charged at deletion when the object's lifetime ends inside the horizon)
 *
 * State of the DP at the start of month k: (tier, months spent in it, capped at ⌈minDays/30⌉);
 * that cap is all the history the minimum-duration charge needs, so the DP is exact. Size:
 * months × Σ_t (⌈minDays_t/30⌉ + 1) states × tiers moves: for S3's five tiers and 36 months,
 * about 36 × 18 × 5 = 3,240 steps. Months with reads never sit in a tier whose reads wait for a
 * restore unless the caller allows it (a training job cannot wait hours for its data).
 */
import { InvalidInput } from '../errors.js';
import { Decimal, ZERO, dec, sum } from '../money.js';
import { type AutoTiering, type StorageTier, GIB } from './prices.js';

/** How one object, or all objects under a prefix together, is stored and read, by age month. */
export interface AccessPattern {
  /** Object key or prefix. */
  name: string;
  objects: number;
  bytes: number;
  /** Σ max(size, threshold) for each tier's minimum billable object size (key: threshold in bytes); missing key: `bytes`. */
  billedBytesByMinSize: Record<number, number>;
  /** Objects at least as large as the automatic tiering's monitoring threshold, and their bytes. */
  monitoredObjects: number;
  monitoredBytes: number;
  /** Expected GET requests at age month k (k = 0 … horizon−1). */
  readsByMonth: number[];
  /** Expected bytes read at age month k. */
  readBytesByMonth: number[];
  /** Expected number of distinct objects read at least once at age month k (for automatic tiering). */
  objectsReadByMonth: number[];
  /** The object is deleted at this age (months); undefined: kept past the horizon. */
  lifetimeMonths?: number;
}

export interface ScheduleStep {
  fromMonth: number;
  tierId: string;
}

export interface CostParts {
  upload: Decimal;
  storage: Decimal;
  retrieval: Decimal;
  requests: Decimal;
  transitions: Decimal;
  earlyDeletion: Decimal;
  monitoring: Decimal;
}

export interface ScheduleCost {
  steps: ScheduleStep[];
  total: Decimal;
  parts: CostParts;
}

export interface PlanOptions {
  horizonMonths: number;
  /** Allow tiers whose reads need a restore (S3 Glacier Flexible Retrieval, Deep Archive) in months with reads. */
  allowRestore?: boolean;
}

const DAYS_PER_MONTH = 30;
const THOUSAND = dec(1000);

function zeroParts(): CostParts {
  return { upload: ZERO, storage: ZERO, retrieval: ZERO, requests: ZERO, transitions: ZERO, earlyDeletion: ZERO, monitoring: ZERO };
}

export function partsTotal(p: CostParts): Decimal {
  return sum([p.upload, p.storage, p.retrieval, p.requests, p.transitions, p.earlyDeletion, p.monitoring]);
}

/** Months the plan covers: the horizon, cut short by the object's deletion. */
export function coveredMonths(p: AccessPattern, horizonMonths: number): number {
  return p.lifetimeMonths === undefined ? horizonMonths : Math.min(horizonMonths, p.lifetimeMonths);
}

function minMonths(t: StorageTier): number {
  return Math.ceil(t.minStorageDays / DAYS_PER_MONTH);
}

/** Pre-computed money terms of one pattern on one provider's tiers. */
class Terms {
  readonly storage: Decimal[];
  readonly upload: Decimal[];
  readonly transition: Decimal[];
  readonly retrieval: Decimal[][];
  readonly requests: Decimal[][];
  readonly months: number;
  constructor(
    readonly pattern: AccessPattern,
    readonly tiers: StorageTier[],
    horizonMonths: number,
  ) {
    this.months = coveredMonths(pattern, horizonMonths);
    const objects = dec(pattern.objects);
    const standard = tiers.reduce((a, b) => (b.rank < a.rank ? b : a));
    this.storage = tiers.map((t) => {
      const billed = pattern.billedBytesByMinSize[t.minBillableObjectBytes] ?? pattern.bytes;
      return dec(billed)
        .div(GIB)
        .times(t.storageUsdPerGibMonth)
        .plus(objects.times(t.overheadBytesPerObject).div(GIB).times(t.storageUsdPerGibMonth))
        .plus(objects.times(t.overheadStandardBytesPerObject).div(GIB).times(standard.storageUsdPerGibMonth));
    });
    this.upload = tiers.map((t) => objects.div(THOUSAND).times(t.writeUsdPer1000));
    this.transition = tiers.map((t) => objects.div(THOUSAND).times(t.transitionUsdPer1000));
    this.retrieval = tiers.map((t) => Array.from({ length: this.months }, (_, k) => dec(pattern.readBytesByMonth[k] ?? 0).div(GIB).times(t.retrievalUsdPerGib)));
    this.requests = tiers.map((t) => Array.from({ length: this.months }, (_, k) => dec(pattern.readsByMonth[k] ?? 0).div(THOUSAND).times(t.readUsdPer1000)));
  }
  early(i: number, monthsIn: number): Decimal {
    const days = this.tiers[i]!.minStorageDays - DAYS_PER_MONTH * monthsIn;
    return days > 0 ? this.storage[i]!.times(days).div(DAYS_PER_MONTH) : ZERO;
  }
  readAt(k: number): boolean {
    return (this.pattern.readsByMonth[k] ?? 0) > 0;
  }
}

function checkTiers(tiers: StorageTier[]): void {
  if (tiers.length === 0) throw new InvalidInput('no storage tiers to plan with', [{ path: 'tiers', message: 'empty' }], 'Pick a provider the price catalog has (aws, gcp, azure).');
  const providers = new Set(tiers.map((t) => t.provider));
  if (providers.size > 1) throw new InvalidInput(`tiers of several providers (${[...providers].join(', ')}): a schedule stays with one`, [{ path: 'tiers', message: 'mixed providers' }], 'Plan each provider on its own.');
}

/** The cost of a given schedule, itemised. Validates the schedule against the lifecycle rules' one-way order. */
export function costSchedule(pattern: AccessPattern, tiers: StorageTier[], steps: ScheduleStep[], opts: PlanOptions): ScheduleCost {
  checkTiers(tiers);
  const terms = new Terms(pattern, tiers, opts.horizonMonths);
  const index = new Map(tiers.map((t, i) => [t.id, i]));
  if (steps.length === 0 || steps[0]!.fromMonth !== 0) throw new InvalidInput('a schedule starts at month 0', [{ path: 'steps[0].fromMonth', message: 'must be 0' }]);
  const tierAt: number[] = [];
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s]!;
    const i = index.get(step.tierId);
    if (i === undefined) throw new InvalidInput(`unknown tier ${step.tierId}`, [{ path: `steps[${s}].tierId`, message: 'not in the catalog', found: step.tierId }]);
    if (s > 0 && (step.fromMonth <= steps[s - 1]!.fromMonth || tiers[i]!.rank <= tiers[tierAt[s - 1]!]!.rank)) {
      throw new InvalidInput('a schedule moves to colder tiers at later months only', [{ path: `steps[${s}]`, message: 'not later and colder than the step before' }]);
    }
    tierAt.push(i);
  }
  const parts = zeroParts();
  // Steps from the horizon on never happen.
  const live = steps.map((st, s) => ({ ...st, i: tierAt[s]! })).filter((st) => st.fromMonth < terms.months || st.fromMonth === 0);
  parts.upload = terms.upload[live[0]!.i]!;
  for (let s = 0; s < live.length; s++) {
    const { i, fromMonth } = live[s]!;
    const until = s + 1 < live.length ? live[s + 1]!.fromMonth : terms.months;
    for (let k = fromMonth; k < until; k++) {
      parts.storage = parts.storage.plus(terms.storage[i]!);
      parts.retrieval = parts.retrieval.plus(terms.retrieval[i]![k]!);
      parts.requests = parts.requests.plus(terms.requests[i]![k]!);
    }
    if (s + 1 < live.length) {
      parts.transitions = parts.transitions.plus(terms.transition[live[s + 1]!.i]!);
      parts.earlyDeletion = parts.earlyDeletion.plus(terms.early(i, until - fromMonth));
    } else if (pattern.lifetimeMonths !== undefined && pattern.lifetimeMonths <= opts.horizonMonths) {
      parts.earlyDeletion = parts.earlyDeletion.plus(terms.early(i, until - fromMonth));
    }
  }
  return { steps: live.map(({ fromMonth, tierId }) => ({ fromMonth, tierId })), total: partsTotal(parts), parts };
}

/** The cheapest schedule (exact). Ties go to the fewer, later, warmer moves: the plan that asks the least of the user. */
export function planTiers(pattern: AccessPattern, tiers: StorageTier[], opts: PlanOptions): ScheduleCost {
  checkTiers(tiers);
  if (!Number.isInteger(opts.horizonMonths) || opts.horizonMonths < 1) throw new InvalidInput('the horizon must be a whole number of months ≥ 1', [{ path: 'horizonMonths', message: 'expected an integer ≥ 1', found: String(opts.horizonMonths) }]);
  const sorted = [...tiers].sort((a, b) => a.rank - b.rank);
  const terms = new Terms(pattern, sorted, opts.horizonMonths);
  const T = sorted.length;
  const cap = sorted.map(minMonths);
  const offset: number[] = [];
  let nStates = 0;
  for (let i = 0; i < T; i++) {
    offset.push(nStates);
    nStates += cap[i]! + 1;
  }
  const stateTier = new Int32Array(nStates);
  const stateAge = new Int32Array(nStates);
  for (let i = 0; i < T; i++) for (let a = 0; a <= cap[i]!; a++) (stateTier[offset[i]! + a] = i), (stateAge[offset[i]! + a] = a);
  const M = terms.months;
  const usable = (i: number, k: number) => opts.allowRestore === true || sorted[i]!.instantAccess || !terms.readAt(k);
  // value[k][s]: cheapest cost of months 0..k−1 plus moves, being in state s at the start of month k.
  let value: (Decimal | undefined)[] = new Array(nStates).fill(undefined);
  const parent: Int32Array[] = [];
  for (let i = 0; i < T; i++) if (usable(i, 0)) value[offset[i]!] = terms.upload[i]!;
  parent.push(new Int32Array(nStates).fill(-1));
  for (let k = 0; k < M; k++) {
    const next: (Decimal | undefined)[] = new Array(nStates).fill(undefined);
    const from = new Int32Array(nStates).fill(-1);
    for (let s = 0; s < nStates; s++) {
      const v = value[s];
      if (v === undefined) continue;
      const i = stateTier[s]!;
      const done = Math.min(stateAge[s]! + 1, cap[i]!);
      const afterMonth = v.plus(terms.storage[i]!).plus(terms.retrieval[i]![k]!).plus(terms.requests[i]![k]!);
      if (k + 1 === M) {
        const end = pattern.lifetimeMonths !== undefined && pattern.lifetimeMonths <= opts.horizonMonths ? afterMonth.plus(terms.early(i, stateAge[s]! + 1)) : afterMonth;
        const to = offset[i]! + done;
        if (next[to] === undefined || end.lt(next[to]!)) (next[to] = end), (from[to] = s);
        continue;
      }
      const stay = offset[i]! + done;
      if (usable(i, k + 1) && (next[stay] === undefined || afterMonth.lt(next[stay]!))) (next[stay] = afterMonth), (from[stay] = s);
      const leave = afterMonth.plus(terms.early(i, stateAge[s]! + 1));
      for (let j = i + 1; j < T; j++) {
        if (sorted[j]!.rank <= sorted[i]!.rank || !usable(j, k + 1)) continue;
        if ((k + 1) * DAYS_PER_MONTH < sorted[j]!.minAgeDaysForTransition) continue;
        const c = leave.plus(terms.transition[j]!);
        const to = offset[j]!;
        if (next[to] === undefined || c.lt(next[to]!)) (next[to] = c), (from[to] = s);
      }
    }
    value = next;
    parent.push(from);
  }
  let best = -1;
  for (let s = 0; s < nStates; s++) if (value[s] !== undefined && (best < 0 || value[s]!.lt(value[best]!))) best = s;
  if (best < 0) throw new InvalidInput(`${pattern.name}: no tier can serve its reads`, [{ path: 'tiers', message: 'every tier needs a restore before reading' }], 'Allow restores (--allow-restore) or add an instant-access tier.');
  // Walk back: the tier of each month.
  const tierOfMonth: number[] = new Array(M);
  let s = best;
  for (let k = M; k >= 1; k--) {
    const prev = parent[k]![s]!;
    tierOfMonth[k - 1] = stateTier[prev]!;
    s = prev;
  }
  const steps: ScheduleStep[] = [];
  for (let k = 0; k < M; k++) if (k === 0 || tierOfMonth[k] !== tierOfMonth[k - 1]) steps.push({ fromMonth: k, tierId: sorted[tierOfMonth[k]!]!.id });
  const costed = costSchedule(pattern, sorted, steps, opts);
  // Both sums are exact to 40 significant digits; with fractional expected reads, the order of
  // additions moves the last digit, hence the tolerance far below a cent.
  if (costed.total.minus(value[best]!).abs().gt('1e-20')) throw new Error(`tier plan of ${pattern.name}: DP value ${value[best]} ≠ schedule cost ${costed.total}`);
  return costed;
}

/** Everything in the warmest tier. */
export function allStandard(pattern: AccessPattern, tiers: StorageTier[], opts: PlanOptions): ScheduleCost {
  const sorted = [...tiers].sort((a, b) => a.rank - b.rank);
  return costSchedule(pattern, sorted, [{ fromMonth: 0, tierId: sorted[0]!.id }], opts);
}

/** The common rule of thumb: the second tier after 30 days, the third after 90 (S3: Standard-IA, then Glacier Instant Retrieval). */
export function lifecycle3090(pattern: AccessPattern, tiers: StorageTier[], opts: PlanOptions): ScheduleCost {
  const sorted = [...tiers].sort((a, b) => a.rank - b.rank);
  const steps: ScheduleStep[] = [{ fromMonth: 0, tierId: sorted[0]!.id }];
  if (sorted[1]) steps.push({ fromMonth: 1, tierId: sorted[1].id });
  if (sorted[2]) steps.push({ fromMonth: 3, tierId: sorted[2].id });
  return costSchedule(pattern, sorted, steps, opts);
}

/**
 * The provider's automatic tiering. Each monitored object steps down after 30 (then 90, …) days
 * without a read and back up on a read; no retrieval fees. Per object that is exact; for a
 * prefix, the share of objects idle for the last m months is Π (1 − read share) over those months
 * (reads independent from month to month), an estimate stated in the output.
 */
export function autoTieringCost(pattern: AccessPattern, auto: AutoTiering, standardTier: StorageTier, opts: PlanOptions): ScheduleCost {
  const months = coveredMonths(pattern, opts.horizonMonths);
  const parts = zeroParts();
  const objects = dec(pattern.objects);
  parts.upload = objects.div(THOUSAND).times(standardTier.writeUsdPer1000);
  const monitoredGib = dec(pattern.monitoredBytes).div(GIB);
  const unmonitoredGib = dec(pattern.bytes - pattern.monitoredBytes).div(GIB);
  const first = auto.steps[0]!.storageUsdPerGibMonth;
  const readShare = (k: number) => (pattern.objects === 0 ? ZERO : Decimal.min(1, Decimal.max(0, dec(pattern.objectsReadByMonth[k] ?? 0).div(pattern.objects))));
  for (let k = 0; k < months; k++) {
    // P(idle for at least m whole months before month k); an object is never idle before its upload month ends.
    const idleAtLeast = (m: number): Decimal => {
      if (m === 0) return dec(1);
      if (k < m) return ZERO;
      let p = dec(1);
      for (let j = k - m; j < k; j++) p = p.times(dec(1).minus(readShare(j)));
      return p;
    };
    let monthStorage = unmonitoredGib.times(first);
    for (let s = 0; s < auto.steps.length; s++) {
      const here = idleAtLeast(Math.round(auto.steps[s]!.afterIdleDays / DAYS_PER_MONTH));
      const below = s + 1 < auto.steps.length ? idleAtLeast(Math.round(auto.steps[s + 1]!.afterIdleDays / DAYS_PER_MONTH)) : ZERO;
      monthStorage = monthStorage.plus(monitoredGib.times(here.minus(below)).times(auto.steps[s]!.storageUsdPerGibMonth));
    }
    parts.storage = parts.storage.plus(monthStorage);
    parts.requests = parts.requests.plus(dec(pattern.readsByMonth[k] ?? 0).div(THOUSAND).times(standardTier.readUsdPer1000));
    parts.monitoring = parts.monitoring.plus(dec(pattern.monitoredObjects).div(THOUSAND).times(auto.monitoringUsdPer1000ObjectsMonth));
  }
  return { steps: [{ fromMonth: 0, tierId: `${auto.provider}:${auto.name}` }], total: partsTotal(parts), parts };
}

/** Σ max(size, threshold) for each threshold: the billed bytes of objects under a minimum billable size. */
export function billedBytes(sizes: Iterable<number>, thresholds: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const t of thresholds) out[t] = 0;
  for (const size of sizes) for (const t of thresholds) out[t]! += Math.max(size, t);
  return out;
}
