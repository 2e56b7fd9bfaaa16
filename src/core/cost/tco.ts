/**
 * The total cost of ownership model. Pure: a validated Scenario in, a CostReport out.
 *
 *   capex in period   = purchase × count × min(1, periodHours / (lifetimeYears × 8760))   (amortise)
 *                     = purchase × count                                                   (expense,
 *                       or when no lifetime is given)
 *   maintenance       = maintenancePerYear × count × periodHours / 8760
 *   energy (kWh)      = count × (busyH × powerW + idleH × idlePowerW) / 1000 × PUE
 *                       (idlePowerW defaults to powerW: a machine that is on draws its rating)
 *   energy cost       = energy × electricity.pricePerKwh
 *   utilisation U     = busy hours / hours on
 *   busy cost         = cost × U,   idle cost = cost − busy cost
 *   cost per useful GPU-hour = cost / (GPU-hours × U)
 *   performance-cost ratio R = throughput / cost
 *
 * Categories: hardware (capex, instance hours, storage), software, data, staff, and operations
 * (energy + network + maintenance). Every line is exact decimal; the report's total is the sum of
 * its lines, so every breakdown adds up to it exactly.
 */
import { Decimal, ZERO, dec, sum } from '../money.js';
import {
  HOURS_PER_MONTH,
  HOURS_PER_YEAR,
  busyHours,
  hasMeasuredUtilisation,
  periodToHours,
  usageHours,
  type Resource,
  type ResourceKind,
  type Scenario,
} from '../model/scenario.js';

export const CATEGORIES = ['hardware', 'software', 'data', 'staff', 'operations'] as const;
export type Category = (typeof CATEGORIES)[number];

export const COMPONENTS = ['capex', 'compute', 'storage', 'licence', 'data', 'staff', 'energy', 'network', 'maintenance'] as const;
export type Component = (typeof COMPONENTS)[number];

const categoryOf: Record<Component, Category> = {
  capex: 'hardware',
  compute: 'hardware',
  storage: 'hardware',
  licence: 'software',
  data: 'data',
  staff: 'staff',
  energy: 'operations',
  network: 'operations',
  maintenance: 'operations',
};

export interface CostLine {
  resource: string;
  component: Component;
  category: Category;
  amount: Decimal;
  /** How the amount was computed, for people: "10 × 5000 × 8760/43800". */
  basis: string;
}

export interface ResourceCost {
  name: string;
  kind: ResourceKind;
  count: number;
  total: Decimal;
  byCategory: Record<Category, Decimal>;
  byComponent: Partial<Record<Component, Decimal>>;
  hoursOn?: Decimal;
  hoursBusy?: Decimal;
  utilisation?: Decimal;
  /** True when U came from the scenario rather than the default of 1. */
  utilisationMeasured?: boolean;
  busyCost?: Decimal;
  idleCost?: Decimal;
  energyKwh?: Decimal;
  gpuHours?: Decimal;
  costPerUsefulGpuHour?: Decimal;
  throughput?: { value: Decimal; unit: string };
  /** Throughput per unit of currency: R = throughput / cost. */
  perfCostRatio?: Decimal;
  tags?: Record<string, string>;
}

export interface CostReport {
  scenario: string;
  currency: string;
  periodHours: number;
  capex: 'amortise' | 'expense';
  total: Decimal;
  byCategory: Record<Category, Decimal>;
  byComponent: Record<Component, Decimal>;
  byResource: ResourceCost[];
  lines: CostLine[];
  energyKwh: Decimal;
  busyCost: Decimal;
  idleCost: Decimal;
  gpuHours: Decimal;
}

export interface TcoOptions {
  /** Overrides the scenario's capex treatment. */
  capex?: 'amortise' | 'expense';
}

export function computeTco(s: Scenario, opts: TcoOptions = {}): CostReport {
  const periodHours = periodToHours(s.period);
  const capexMode = opts.capex ?? s.capex;
  const lines: CostLine[] = [];
  const resources: ResourceCost[] = [];
  let energyTotal = ZERO;

  for (const r of s.resources) {
    const own: CostLine[] = [];
    const add = (component: Component, amount: Decimal, basis: string) =>
      own.push({ resource: r.name, component, category: categoryOf[component], amount, basis });
    const count = r.count;
    const on = usageHours(r.usage, periodHours);
    const busy = busyHours(r.usage, periodHours);
    const periodYears = dec(periodHours).div(HOURS_PER_YEAR);
    const periodMonths = dec(periodHours).div(HOURS_PER_MONTH);
    let energyKwh: Decimal | undefined;

    const capex = (unitPrice: Decimal, units: Decimal, lifetimeYears: Decimal | undefined) => {
      if (capexMode === 'expense' || lifetimeYears === undefined) {
        add('capex', unitPrice.times(units), `${units} × ${unitPrice} (expensed)`);
      } else {
        const share = Decimal.min(1, dec(periodHours).div(lifetimeYears.times(HOURS_PER_YEAR)));
        add('capex', unitPrice.times(units).times(share), `${units} × ${unitPrice} × ${periodHours} h / (${lifetimeYears} y × 8760 h)`);
      }
    };
    const energy = (powerW: number | undefined, idlePowerW: number | undefined) => {
      if (powerW === undefined || !s.electricity) return;
      const idleW = idlePowerW ?? powerW;
      const wh = busy.times(powerW).plus(on.minus(busy).times(idleW)).times(count);
      energyKwh = wh.div(1000).times(s.electricity.pue);
      add('energy', energyKwh.times(s.electricity.pricePerKwh), `${toFixed(energyKwh)} kWh (PUE ${s.electricity.pue}) × ${s.electricity.pricePerKwh}/kWh`);
    };
    const maintenance = (perYear: Decimal | undefined) => {
      if (perYear !== undefined) add('maintenance', perYear.times(count).times(periodYears), `${count} × ${perYear}/y × ${periodHours} h / 8760 h`);
    };

    switch (r.kind) {
      case 'server':
      case 'gpu':
        capex(r.purchasePrice, dec(count), r.lifetimeYears);
        maintenance(r.maintenancePerYear);
        energy(r.powerW, r.idlePowerW);
        break;
      case 'instance':
        if (r.pricePerHour !== undefined) add('compute', r.pricePerHour.times(on).times(count), `${count} × ${on} h × ${r.pricePerHour}/h`);
        else if (r.pricePerDay !== undefined) add('compute', r.pricePerDay.times(on).div(24).times(count), `${count} × ${on.div(24)} d × ${r.pricePerDay}/d`);
        else if (r.pricePerMonth !== undefined) add('compute', r.pricePerMonth.times(periodMonths).times(count), `${count} × ${toFixed(periodMonths)} months × ${r.pricePerMonth}/month`);
        if (r.powerW !== undefined) energyKwh = on.times(r.powerW).times(count).div(1000);
        break;
      case 'storage': {
        const tb = r.capacityTb.times(count);
        if (r.pricePerTbMonth !== undefined) add('storage', tb.times(r.pricePerTbMonth).times(periodMonths), `${tb} TB × ${r.pricePerTbMonth}/TB-month × ${toFixed(periodMonths)} months`);
        else capex(r.purchasePricePerTb!, tb, r.lifetimeYears);
        maintenance(r.maintenancePerYear);
        energy(r.powerW, undefined);
        break;
      }
      case 'network':
        if (r.egressGb !== undefined && r.pricePerGb !== undefined) add('network', r.egressGb.times(r.pricePerGb).times(count), `${r.egressGb} GB × ${r.pricePerGb}/GB`);
        if (r.bandwidthGbps !== undefined) {
          if (r.pricePerGbps !== undefined) add('network', r.bandwidthGbps.times(r.pricePerGbps).times(count), `${r.bandwidthGbps} Gbps × ${r.pricePerGbps}/Gbps`);
          if (r.pricePerGbpsMonth !== undefined) add('network', r.bandwidthGbps.times(r.pricePerGbpsMonth).times(periodMonths).times(count), `${r.bandwidthGbps} Gbps × ${r.pricePerGbpsMonth}/Gbps-month × ${toFixed(periodMonths)} months`);
        }
        break;
      case 'software': {
        const units = dec(r.licence === 'per-seat' ? r.seats! : r.licence === 'per-node' ? r.nodes! : 1).times(count);
        if (r.pricePerYear !== undefined) add('licence', units.times(r.pricePerYear).times(periodYears), `${units} × ${r.pricePerYear}/y × ${periodHours} h / 8760 h`);
        else add('licence', units.times(r.purchasePrice!), `${units} × ${r.purchasePrice}`);
        break;
      }
      case 'data':
        if (r.quantityTb !== undefined) add('data', r.quantityTb.times(r.pricePerTb!).times(count), `${r.quantityTb} TB × ${r.pricePerTb}/TB`);
        else add('data', r.items!.times(r.pricePerItem!).times(count), `${r.items} items × ${r.pricePerItem}/item`);
        break;
      case 'staff':
        add('staff', r.yearlyCost.times(count).times(periodYears), `${count} × ${r.yearlyCost}/y × ${periodHours} h / 8760 h`);
        break;
    }

    lines.push(...own);
    const total = sum(own.map((l) => l.amount));
    const rc: ResourceCost = {
      name: r.name,
      kind: r.kind,
      count,
      total,
      byCategory: groupBy(own, (l) => l.category, CATEGORIES),
      byComponent: Object.fromEntries(COMPONENTS.filter((c) => own.some((l) => l.component === c)).map((c) => [c, sum(own.filter((l) => l.component === c).map((l) => l.amount))])),
    };
    if (r.tags) rc.tags = r.tags;
    if (hasUsage(r.kind)) {
      const u = on.gt(0) ? busy.div(on) : ZERO;
      rc.hoursOn = on;
      rc.hoursBusy = busy;
      rc.utilisation = u;
      rc.utilisationMeasured = hasMeasuredUtilisation(r.usage);
      rc.busyCost = total.times(u);
      rc.idleCost = total.minus(rc.busyCost);
      if (r.gpus !== undefined && r.gpus > 0) {
        rc.gpuHours = on.times(r.gpus * count);
        const useful = rc.gpuHours.times(u);
        if (useful.gt(0)) rc.costPerUsefulGpuHour = total.div(useful);
      }
    }
    if (energyKwh !== undefined) {
      rc.energyKwh = energyKwh;
      if (r.kind !== 'instance') energyTotal = energyTotal.plus(energyKwh);
    }
    if (r.throughput) {
      rc.throughput = { value: r.throughput.value, unit: r.throughput.unit };
      if (total.gt(0)) rc.perfCostRatio = r.throughput.value.div(total);
    }
    resources.push(rc);
  }

  return {
    scenario: s.name,
    currency: s.currency,
    periodHours,
    capex: capexMode,
    total: sum(lines.map((l) => l.amount)),
    byCategory: groupBy(lines, (l) => l.category, CATEGORIES),
    byComponent: groupBy(lines, (l) => l.component, COMPONENTS),
    byResource: resources,
    lines,
    energyKwh: energyTotal,
    busyCost: sum(resources.map((r) => r.busyCost ?? ZERO)),
    idleCost: sum(resources.map((r) => r.idleCost ?? ZERO)),
    gpuHours: sum(resources.map((r) => r.gpuHours ?? ZERO)),
  };
}

function hasUsage(kind: ResourceKind): boolean {
  return kind === 'server' || kind === 'gpu' || kind === 'instance' || kind === 'storage';
}

function groupBy<K extends string>(lines: CostLine[], key: (l: CostLine) => K, keys: readonly K[]): Record<K, Decimal> {
  const out = Object.fromEntries(keys.map((k) => [k, ZERO])) as Record<K, Decimal>;
  for (const l of lines) out[key(l)] = out[key(l)].plus(l.amount);
  return out;
}

function toFixed(d: Decimal): string {
  return d.toDecimalPlaces(4).toString();
}

/** The report as plain JSON: every money value a decimal string, nothing lost. */
export function costReportToJson(r: CostReport) {
  const m = (d: Decimal) => d.toFixed();
  const rec = <K extends string>(o: Partial<Record<K, Decimal>>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, m(v as Decimal)]));
  return {
    scenario: r.scenario,
    currency: r.currency,
    periodHours: r.periodHours,
    capex: r.capex,
    total: m(r.total),
    byCategory: rec(r.byCategory),
    byComponent: rec(r.byComponent),
    byResource: r.byResource.map((x) => ({
      name: x.name,
      kind: x.kind,
      count: x.count,
      total: m(x.total),
      byCategory: rec(x.byCategory),
      byComponent: rec(x.byComponent),
      ...(x.hoursOn !== undefined && { hoursOn: m(x.hoursOn), hoursBusy: m(x.hoursBusy!), utilisation: m(x.utilisation!), utilisationMeasured: x.utilisationMeasured }),
      ...(x.busyCost && { busyCost: m(x.busyCost), idleCost: m(x.idleCost!) }),
      ...(x.energyKwh && { energyKwh: m(x.energyKwh) }),
      ...(x.gpuHours !== undefined && { gpuHours: m(x.gpuHours) }),
      ...(x.costPerUsefulGpuHour && { costPerUsefulGpuHour: m(x.costPerUsefulGpuHour) }),
      ...(x.throughput && { throughput: { value: m(x.throughput.value), unit: x.throughput.unit } }),
      ...(x.perfCostRatio && { perfCostRatio: m(x.perfCostRatio) }),
      ...(x.tags && { tags: x.tags }),
    })),
    lines: r.lines.map((l) => ({ resource: l.resource, category: l.category, component: l.component, amount: m(l.amount), basis: l.basis })),
    energyKwh: m(r.energyKwh),
    busyCost: m(r.busyCost),
    idleCost: m(r.idleCost),
    gpuHours: m(r.gpuHours),
  };
}
