/**
 * Savings visible in a scenario alone (no telemetry needed): each a Recommendation record with its
 * amount over the scenario's period, so it can be printed, stored and re-checked before acting.
 *
 * Rules (each states its assumption in `basis`):
 * - autostop:  an hourly instance with measured utilisation U < 0.7 pays for its idle hours;
 *              stopping when idle saves idle hours × price (idle spells assumed longer than the timeout).
 * - spot:      an instance with a spotPricePerHour saves (on-demand − spot) × hours, if the work
 *              tolerates preemption (checkpointed training, batch inference).
 * - reserve:   an instance with a reservedPricePerHour saves on-demand × hours − reserved × period
 *              hours, when that is positive (a commitment is paid for every hour).
 * - seats:     a per-seat licence with seatsUsed < seats saves the unused seats.
 * - power-down: an on-prem machine with measured U < 0.7 and an idlePowerW saves its idle energy.
 *
 * One saving per resource-hour: spot and reserve price the same hours (after autostop, when it
 * applies), so they are alternatives: the larger is listed, the other rides along in its
 * `alternatives`; any sum over the list counts each hour once.
 */
import { Decimal, ZERO, dec } from '../money.js';
import { busyHours, hasMeasuredUtilisation, periodToHours, usageHours, type Scenario } from '../model/scenario.js';

export interface Recommendation {
  id: string;
  resource: string;
  action: 'autostop' | 'spot' | 'reserve' | 'seats' | 'power-down' | string;
  title: string;
  /** Saving over the scenario's period, in its currency. */
  saving: Decimal;
  currency: string;
  effort: 'low' | 'medium' | 'high';
  basis: string;
  /**
   * Names under which the resource's cost appears in a bill (FOCUS ResourceId or ResourceName),
   * besides `resource`: a budget counts a saving only when its resource is on the budget's bill.
   */
  billedAs?: string[];
  /**
   * Recommendations with the same group price the same resource-hours and exclude each other
   * (MIG sharing, a smaller GPU, spot for one GPU's busy hours): only the best is taken.
   */
  exclusiveGroup?: string;
  /** The others of its exclusive group, best first: shown as alternatives, never added to a total. */
  alternatives?: Recommendation[];
}

/**
 * The best recommendation of each exclusive group, carrying the rest as its `alternatives` (best
 * first, by saving then id); recommendations without a group pass through. Order of first
 * appearance is kept, so a caller's sort still applies.
 */
export function oneSavingPerHour(recs: Recommendation[]): Recommendation[] {
  const groups = new Map<string, Recommendation[]>();
  const out: (Recommendation | string)[] = [];
  for (const r of recs) {
    if (!r.exclusiveGroup) {
      out.push(r);
      continue;
    }
    const g = groups.get(r.exclusiveGroup);
    if (g) g.push(r);
    else {
      groups.set(r.exclusiveGroup, [r]);
      out.push(r.exclusiveGroup);
    }
  }
  return out.map((x) => {
    if (typeof x !== 'string') return x;
    const [best, ...rest] = [...groups.get(x)!].sort((a, b) => b.saving.comparedTo(a.saving) || a.id.localeCompare(b.id));
    return rest.length ? { ...best!, alternatives: rest.map(({ alternatives: _a, ...r }) => r) } : best!;
  });
}

/** The total of a list made by oneSavingPerHour: alternatives are not added. */
export function totalSaving(recs: Recommendation[]): Decimal {
  return recs.reduce((a, r) => a.plus(r.saving), ZERO);
}

const LOW_UTILISATION = dec('0.7');
const EFFORT_WEIGHT = { low: 1, medium: 2, high: 4 } as const;

export function scenarioSavings(s: Scenario): Recommendation[] {
  const periodHours = periodToHours(s.period);
  const out: Recommendation[] = [];
  const push = (r: Omit<Recommendation, 'id' | 'currency'>) => {
    const billedAs = s.resources.find((x) => x.name === r.resource)?.billedAs;
    if (r.saving.gt(0)) out.push({ ...r, id: `${r.action}:${r.resource}`, currency: s.currency, ...(billedAs && { billedAs }) });
  };
  for (const r of s.resources) {
    const on = usageHours(r.usage, periodHours);
    const busy = busyHours(r.usage, periodHours);
    const idle = on.minus(busy);
    const measured = hasMeasuredUtilisation(r.usage);
    const u = on.gt(0) ? busy.div(on) : ZERO;
    if (r.kind === 'instance' && r.pricePerHour !== undefined) {
      if (measured && u.lt(LOW_UTILISATION)) {
        push({
          resource: r.name,
          action: 'autostop',
          title: `Stop ${r.name} when idle (utilisation ${pct(u)})`,
          saving: idle.times(r.pricePerHour).times(r.count),
          effort: 'low',
          basis: `${r.count} × ${idle.toDecimalPlaces(1)} idle h × ${r.pricePerHour}/h; idle spells assumed longer than the autostop timeout`,
        });
      }
      // Hours still paid on demand after autostop (when it applies): what spot or a reservation prices.
      const hoursPaid = measured && u.lt(LOW_UTILISATION) ? busy : on;
      if (r.spotPricePerHour !== undefined) {
        push({
          resource: r.name,
          exclusiveGroup: `pricing:${r.name}`,
          action: 'spot',
          title: `Run ${r.name} on spot`,
          saving: r.pricePerHour.minus(r.spotPricePerHour).times(hoursPaid).times(r.count),
          effort: 'medium',
          basis: `${r.count} × ${hoursPaid.toDecimalPlaces(1)} h × (${r.pricePerHour} − ${r.spotPricePerHour} spot)/h; needs checkpointing to survive preemption`,
        });
      }
      if (r.reservedPricePerHour !== undefined) {
        push({
          resource: r.name,
          exclusiveGroup: `pricing:${r.name}`,
          action: 'reserve',
          title: `Reserve ${r.name} for the period`,
          saving: r.pricePerHour.times(hoursPaid).minus(r.reservedPricePerHour.times(periodHours)).times(r.count),
          effort: 'medium',
          basis: `${r.count} × (${r.pricePerHour}/h × ${hoursPaid.toDecimalPlaces(1)} h on demand − ${r.reservedPricePerHour}/h × ${periodHours} h reserved)`,
        });
      }
    }
    if (r.kind === 'software' && r.licence === 'per-seat' && r.seatsUsed !== undefined && r.seats !== undefined && r.seatsUsed < r.seats) {
      const unused = dec(r.seats - r.seatsUsed).times(r.count);
      const perSeat = r.pricePerYear !== undefined ? r.pricePerYear.times(periodHours).div(8760) : r.purchasePrice!;
      push({ resource: r.name, action: 'seats', title: `Drop ${unused} unused seats of ${r.name}`, saving: unused.times(perSeat), effort: 'low', basis: `${unused} seats × ${perSeat.toDecimalPlaces(2)} per seat in the period` });
    }
    if ((r.kind === 'server' || r.kind === 'gpu') && measured && u.lt(LOW_UTILISATION) && r.idlePowerW !== undefined && s.electricity) {
      const kwh = idle.times(r.idlePowerW).times(r.count).div(1000).times(s.electricity.pue);
      push({
        resource: r.name,
        action: 'power-down',
        title: `Power down ${r.name} when idle (utilisation ${pct(u)})`,
        saving: kwh.times(s.electricity.pricePerKwh),
        effort: 'low',
        basis: `${kwh.toDecimalPlaces(1)} kWh of idle draw (${r.idlePowerW} W × ${idle.toDecimalPlaces(1)} h × ${r.count}, PUE ${s.electricity.pue}) × ${s.electricity.pricePerKwh}/kWh`,
      });
    }
  }
  return oneSavingPerHour(out.sort((a, b) => b.saving.comparedTo(a.saving) || a.id.localeCompare(b.id)));
}

/** Saving per unit of effort, for ordering actions when a budget must be closed. */
export function savingPerEffort(r: Recommendation): Decimal {
  return r.saving.div(EFFORT_WEIGHT[r.effort]);
}

function pct(u: Decimal): string {
  return `${u.times(100).toDecimalPlaces(0)}%`;
}

export interface RecommendationJson extends Omit<Recommendation, 'saving' | 'alternatives'> {
  saving: string;
  alternatives?: RecommendationJson[];
}

export function recommendationToJson(r: Recommendation): RecommendationJson {
  const { alternatives, ...rest } = r;
  return { ...rest, saving: r.saving.toFixed(), ...(alternatives && { alternatives: alternatives.map(recommendationToJson) }) };
}
