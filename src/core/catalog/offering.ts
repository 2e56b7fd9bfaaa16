/**
 * GPU offerings: an instance type with n GPUs of one type, in a provider/region, and the prices it
 * can be bought at. Every importer (SkyPilot, FSDL, Penny YAML, the built-in table) produces these.
 * Prices are USD per instance-hour, exact.
 */
import { InvalidInput, type Issue } from '../errors.js';
import { Decimal } from '../money.js';

export interface OnPremPool {
  /** Servers installed (the most that can run at once). */
  installed: number;
  /** Marginal cost of running one server for an hour: energy × PUE × price (capex is sunk). */
  marginalUsdPerHour: Decimal;
  /** Sunk capital cost of the installed servers, reported apart, never in the objective. */
  capexUsd?: Decimal;
  pue: number;
  energyUsdPerKwh: Decimal;
}

/**
 * A commitment on one offering: instances reserved for a term, paid upfront, by the hour, or both
 * (AWS's all / partial / no upfront). The planner prices it at its amortised hourly cost, every
 * hour of the horizon whether used or not; the horizon stands for the term (a week planned is a
 * typical week of the year committed).
 */
export interface Commitment {
  /** Unique within the offering, e.g. "1-year reservation, partial upfront". */
  name: string;
  /** 1 or 3; undefined = a rate held over the planned horizon only (the scenario's `reserved:`). */
  termYears?: number;
  payment: 'none' | 'partial' | 'all';
  /** Per instance, paid at the start of the term. */
  upfrontUsd: Decimal;
  /** Per instance-hour, every hour of the term. */
  usdPerHour: Decimal;
  maxInstances?: number;
}

/** Hours in a commitment year: 365 days, as AWS, Azure and GCP amortise 1- and 3-year terms. */
export const HOURS_PER_TERM_YEAR = 8760;

/**
 * The amortised hourly cost of one committed instance: the hourly rate plus the upfront spread
 * evenly over the term's hours. Exact to Decimal's 40 significant digits (an upfront over 8,760 h
 * rarely divides evenly).
 */
export function amortisedUsdPerHour(c: Commitment): Decimal {
  if (c.termYears === undefined || c.upfrontUsd.isZero()) return c.usdPerHour;
  return c.usdPerHour.plus(c.upfrontUsd.div(c.termYears * HOURS_PER_TERM_YEAR));
}

/** An offering's commitments: its listed ones, and the plain reserved rate as one over the horizon. */
export function commitmentsOf(o: Offering): Commitment[] {
  const out = [...(o.commitments ?? [])];
  if (o.reservedUsdPerHour !== undefined) out.unshift({ name: 'reserved', payment: 'none', upfrontUsd: new Decimal(0), usdPerHour: o.reservedUsdPerHour, ...(o.reservedMaxInstances !== undefined && { maxInstances: o.reservedMaxInstances }) });
  return out;
}

/**
 * The share of hours a committed instance must be used for the commitment to cost no more than
 * the same hours on demand: amortised rate / on-demand rate (above 1: never worth it).
 */
export function breakEvenUtilisation(o: Offering, c: Commitment): number | undefined {
  if (!o.onDemandUsdPerHour || o.onDemandUsdPerHour.isZero()) return undefined;
  return amortisedUsdPerHour(c).div(o.onDemandUsdPerHour).toNumber();
}

export interface Offering {
  /** Stable key: `provider/region/instanceType`. */
  id: string;
  provider: string;
  region: string;
  instanceType: string;
  /** GPU type, normalised (H100, A100, A100-80GB, L40S…). */
  gpu: string;
  gpuCount: number;
  vcpus?: number;
  memoryGiB?: number;
  onDemandUsdPerHour?: Decimal;
  spotUsdPerHour?: Decimal;
  /** Committed / reserved hourly rate, paid every hour of the horizon whether used or not. */
  reservedUsdPerHour?: Decimal;
  /** Most reserved instances that may be committed (unlimited when absent). */
  reservedMaxInstances?: number;
  /** Term commitments (1- or 3-year reservations, no/partial/all upfront). */
  commitments?: Commitment[];
  /** Board power of the instance's GPUs, watts. */
  powerW?: number;
  onPrem?: OnPremPool;
  /** Where it came from: a file path, or `builtin (date)`. */
  source: string;
}

export function offeringId(provider: string, region: string, instanceType: string): string {
  return `${provider}/${region}/${instanceType}`;
}

/**
 * GPU type names differ between sources ("H100 (80 GB)", "H100 HGX (80GB)", "A100-80GB"): map them
 * to SkyPilot's accelerator names, keeping the memory variant where it changes what fits
 * (A100 40 vs 80 GB, V100 16 vs 32 GB).
 */
export function normaliseGpu(raw: string): string {
  const s = raw.trim();
  const m = /^(.*?)\s*\((\d+)\s*GB\)\s*$/i.exec(s);
  let base = (m ? m[1]! : s).trim();
  const memGb = m ? Number(m[2]) : undefined;
  base = base.replace(/^(NVIDIA|Tesla|Quadro)\s+/i, '').replace(/\s+(HGX|SXM\d?|PCIe|NVL)$/i, '').replace(/\s+/g, '');
  const upper = base.toUpperCase();
  if (upper === 'A100' && memGb === 80) return 'A100-80GB';
  if (upper === 'V100' && memGb === 32) return 'V100-32GB';
  if (/^RTXA6000$/i.test(base)) return 'A6000';
  return /^[a-z0-9-]+$/i.test(base) ? upper : base;
}

export interface PriceCheck {
  file?: string;
  line?: number;
  path: string;
}

/**
 * Refuse a price that would poison a plan: NaN, infinite or negative. Called at every boundary
 * that builds an Offering, so the core never sees one.
 */
export function checkPrice(v: Decimal | undefined, where: PriceCheck, issues: Issue[]): void {
  if (v === undefined) return;
  if (!v.isFinite() || v.isNaN() || v.isNegative()) {
    issues.push({ ...where, message: 'a price must be a finite, non-negative number', expected: 'a non-negative decimal (USD per hour)', found: v.toString() });
  }
}

export function validateOfferings(offerings: Offering[], file?: string): void {
  const issues: Issue[] = [];
  offerings.forEach((o, i) => {
    const where = (f: string) => ({ path: `offerings[${i}].${f}`, ...(file && { file }) });
    checkPrice(o.onDemandUsdPerHour, where('onDemandUsdPerHour'), issues);
    checkPrice(o.spotUsdPerHour, where('spotUsdPerHour'), issues);
    checkPrice(o.reservedUsdPerHour, where('reservedUsdPerHour'), issues);
    (o.commitments ?? []).forEach((c, j) => {
      checkPrice(c.upfrontUsd, where(`commitments[${j}].upfrontUsd`), issues);
      checkPrice(c.usdPerHour, where(`commitments[${j}].usdPerHour`), issues);
    });
    if (o.onPrem) checkPrice(o.onPrem.marginalUsdPerHour, where('onPrem.marginalUsdPerHour'), issues);
    if (!Number.isInteger(o.gpuCount) || o.gpuCount <= 0) issues.push({ ...where('gpuCount'), message: 'GPU count must be a positive integer', found: String(o.gpuCount) });
  });
  if (issues.length) throw new InvalidInput(`${issues.length} offering${issues.length > 1 ? 's have' : ' has'} an invalid price or GPU count`, issues, 'Fix or remove those offerings.');
}

export function hasAnyPrice(o: Offering): boolean {
  return o.onDemandUsdPerHour !== undefined || o.spotUsdPerHour !== undefined || o.reservedUsdPerHour !== undefined || o.onPrem !== undefined || Boolean(o.commitments?.length);
}
