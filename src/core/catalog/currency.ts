/**
 * Catalog prices in another currency than USD, converted to USD (the unit every planner price is
 * in) with the scenario's exchange rates. The rates are the scenario's: units of the plan's
 * currency per unit of each listed currency ({ USD: 0.92, GBP: 1.17 } for a plan in EUR), the
 * plan's own currency being 1. An amount in X is amount × rate(X) in the plan's currency, ÷ rate(USD)
 * in USD: Decimal arithmetic, exact where the quotient terminates (€2.76 at 0.92 per USD = $3),
 * else to Decimal's 40 significant digits.
 */
import { InvalidInput } from '../errors.js';
import { Decimal } from '../money.js';
import type { Commitment, Offering } from './offering.js';

export interface PlanRates {
  /** The plan's currency (ISO 4217). */
  code: string;
  /** Units of the plan's currency per unit of each listed currency. */
  rates: Record<string, Decimal>;
}

/** Units of the plan's currency per unit of `ccy`, or undefined when the scenario does not say. */
export function rateOf(ccy: string, plan: PlanRates): Decimal | undefined {
  if (ccy === plan.code) return new Decimal(1);
  return plan.rates[ccy];
}

/** USD per unit of `ccy`; undefined when a rate the conversion needs is missing. */
export function usdPer(ccy: string, plan: PlanRates): Decimal | undefined {
  if (ccy === 'USD') return new Decimal(1);
  const toPlan = rateOf(ccy, plan);
  const usdToPlan = rateOf('USD', plan);
  if (!toPlan || !usdToPlan) return undefined;
  return toPlan.div(usdToPlan);
}

/** What the scenario must add for prices in `ccy`, said as the field to write. */
export function missingRateHint(ccy: string, plan: PlanRates): string {
  const need = [rateOf(ccy, plan) ? undefined : `${ccy}: <${plan.code} per ${ccy}>`, rateOf('USD', plan) ? undefined : `USD: <${plan.code} per USD>`].filter(Boolean);
  return `exchangeRates: { ${need.join(', ')} }`;
}

/**
 * Every money field of the offerings, from `ccy` to USD. Throws InvalidInput (naming `where`) when
 * the rates do not reach USD. Offerings already in USD are returned as they are.
 */
export function offeringsToUsd(offerings: Offering[], ccy: string, plan: PlanRates, where: { file: string; path: string }): Offering[] {
  if (ccy === 'USD') return offerings;
  const f = usdPer(ccy, plan);
  if (!f) {
    throw new InvalidInput(
      `${where.file}: the catalog's prices are in ${ccy}, and the scenario gives no rate to convert them to USD`,
      [{ ...where, message: `prices in ${ccy} need a rate`, expected: missingRateHint(ccy, plan) }],
      `Add ${missingRateHint(ccy, plan)} to the scenario (units of ${plan.code} per unit of each currency).`,
    );
  }
  // Multiply, then divide once: €2.76 × 1 ÷ 0.92 is exactly 3, where 2.76 × (1 ÷ 0.92) is not.
  const toPlan = rateOf(ccy, plan)!;
  const usdToPlan = rateOf('USD', plan)!;
  const x = (d: Decimal) => d.times(toPlan).div(usdToPlan);
  const opt = (d: Decimal | undefined) => (d === undefined ? undefined : x(d));
  const note = ` (prices in ${ccy}, at ${f.toSignificantDigits(12).toString()} USD per ${ccy})`;
  return offerings.map((o) => {
    const out: Offering = { ...o, source: o.source + note };
    for (const k of ['onDemandUsdPerHour', 'spotUsdPerHour', 'reservedUsdPerHour'] as const) {
      const v = opt(o[k]);
      if (v !== undefined) out[k] = v;
    }
    if (o.commitments) out.commitments = o.commitments.map((c): Commitment => ({ ...c, upfrontUsd: x(c.upfrontUsd), usdPerHour: x(c.usdPerHour) }));
    if (o.onPrem) out.onPrem = { ...o.onPrem, marginalUsdPerHour: x(o.onPrem.marginalUsdPerHour), energyUsdPerKwh: x(o.onPrem.energyUsdPerKwh), ...(o.onPrem.capexUsd !== undefined && { capexUsd: x(o.onPrem.capexUsd) }) };
    return out;
  });
}
