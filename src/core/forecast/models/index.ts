/** Every model by name, simplest first (ties in the backtest go to the simpler model). */
import { InvalidInput } from '../../errors.js';
import type { ForecastModel } from '../model.js';
import { drift, mean, naive, seasonalNaive, windowMedian } from './naive.js';
import { holt, holtDamped, holtWinters, holtWinters2, holtWintersLinear, ses } from './ets.js';
import { linreg } from './linreg.js';
import { theta } from './theta.js';
import { croston, tsb } from './intermittent.js';
import { arima, sarima } from './sarima.js';
import { boxCoxModel, logModel } from './transform.js';
import { mstl } from './mstl.js';

export const MODELS: ForecastModel[] = [naive, seasonalNaive('day'), seasonalNaive('week'), mean, drift, ses, holt, holtDamped, theta, windowMedian, holtWinters, holtWintersLinear, holtWinters2, sarima, arima, logModel(theta), logModel(holtWinters), linreg, croston, tsb, boxCoxModel(theta), boxCoxModel(holtWinters), mstl];

/** Models not (yet) among auto's candidates: each costs every auto forecast a backtest. */
const NOT_IN_AUTO = new Set(['theta-bc', 'hw-bc', 'mstl']);

export const FAMILIES: Record<string, string[]> = {
  auto: MODELS.map((m) => m.name).filter((n) => !NOT_IN_AUTO.has(n)),
  ets: ['ses', 'holt', 'holt-damped', 'hw', 'hw-linear', 'hw2'],
  snaive: ['snaive-day', 'snaive-week'],
  intermittent: ['croston', 'tsb'],
  arima: ['sarima', 'arima'],
  log: ['theta-log', 'hw-log'],
  boxcox: ['theta-bc', 'hw-bc'],
  mstl: ['mstl'],
};

export function modelByName(name: string): ForecastModel | undefined {
  return MODELS.find((m) => m.name === name);
}

/** `auto`, a family (`ets`, `snaive`), a model name, or a comma-separated list of them. */
export function resolveModels(spec: string): ForecastModel[] {
  const names = new Set<string>();
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const fam = FAMILIES[raw];
    if (fam) fam.forEach((n) => names.add(n));
    else if (modelByName(raw)) names.add(raw);
    else {
      throw new InvalidInput(`unknown model "${raw}"`, [{ path: 'model', message: 'not a model name', expected: [...Object.keys(FAMILIES), ...MODELS.map((m) => m.name)].join(', '), found: raw }], 'Use --model auto, or one of the names listed.');
    }
  }
  if (names.size === 0) throw new InvalidInput('no model named', [{ path: 'model', message: 'empty', expected: 'a model name or auto' }]);
  return MODELS.filter((m) => names.has(m.name));
}
