/**
 * A saved forecast scored against the actuals that arrived after it was made: the same measures as
 * the backtest (MASE on the scale of the history it was made from, P10–P90 coverage, pinball), but
 * truly out of sample, so the backtest's promise can be checked.
 */
import { pinballLoss } from './backtest.js';

export interface ScoredPoint {
  /** slot start, epoch ms */
  t: number;
  /** the forecast at each level of `levels` */
  q: number[];
}

export interface Actual {
  t: number;
  value: number;
}

export interface ForecastScoreResult {
  /** forecast steps */
  steps: number;
  /** steps with an observed actual (filled gaps are not actuals) */
  matched: number;
  /** first and last step scored, epoch ms */
  first?: number;
  last?: number;
  mae?: number;
  /** MAE over the scale the forecast's backtest used (its history's naive or seasonal-naive MAE) */
  mase?: number;
  /** share of actuals inside P10–P90 */
  coverageP10P90?: number;
  /** share inside the outermost levels delivered */
  bandCoverage?: number;
  /** mean pinball loss over the levels, scaled like MASE */
  pinball?: number;
  /** mean of actual − P50: positive when the forecast ran low */
  bias?: number;
}

/**
 * `levels` must hold 0.1, 0.5 and 0.9 (every forecast delivers them). A scale of 0 (a constant
 * history) gives MASE 0 for a perfect forecast and Infinity otherwise, like the backtest.
 */
export function scoreForecast(points: ScoredPoint[], levels: number[], actuals: Actual[], scale: number): ForecastScoreResult {
  const i10 = levels.indexOf(0.1);
  const i50 = levels.indexOf(0.5);
  const i90 = levels.indexOf(0.9);
  if (i10 < 0 || i50 < 0 || i90 < 0) throw new Error('scoreForecast: levels must include 0.1, 0.5 and 0.9');
  const byT = new Map(actuals.map((a) => [a.t, a.value]));
  let matched = 0;
  let abs = 0;
  let signed = 0;
  let inside = 0;
  let insideBand = 0;
  let pin = 0;
  let first: number | undefined;
  let last: number | undefined;
  const lo = 0;
  const hi = levels.length - 1;
  for (const p of points) {
    const a = byT.get(p.t);
    if (a === undefined || !Number.isFinite(a)) continue;
    matched++;
    first ??= p.t;
    last = p.t;
    const e = a - p.q[i50]!;
    abs += Math.abs(e);
    signed += e;
    if (a >= p.q[i10]! && a <= p.q[i90]!) inside++;
    if (a >= p.q[lo]! && a <= p.q[hi]!) insideBand++;
    let l = 0;
    for (let k = 0; k < levels.length; k++) l += pinballLoss(levels[k]!, a, p.q[k]!);
    pin += l / levels.length;
  }
  if (matched === 0) return { steps: points.length, matched };
  const mae = abs / matched;
  const scaled = (x: number) => (scale > 0 ? x / scale : x === 0 ? 0 : Infinity);
  return {
    steps: points.length,
    matched,
    first: first!,
    last: last!,
    mae,
    mase: scaled(mae),
    coverageP10P90: inside / matched,
    bandCoverage: insideBand / matched,
    pinball: scaled(pin / matched),
    bias: signed / matched,
  };
}
