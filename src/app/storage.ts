/**
 * Storage use cases: plan tiers for a bucket's objects from how they are read.
 *
 * The importers (adapters) give objects and access-log events; this joins them by bucket and
 * key, builds one access pattern per prefix (core/storage/profile), plans each exactly
 * (core/storage/tiering) and compares it with all-standard, the 30/90-day rule and the
 * provider's automatic tiering, and writes the plan as lifecycle rules.
 */
import { InvalidInput } from '../core/errors.js';
import { type Decimal, ZERO, dec, isDecimalString, sum, toPlain } from '../core/money.js';
import { lifecycleRules, type LifecycleOutput } from '../core/storage/lifecycle.js';
import { BUILTIN_STORAGE_CATALOG, autoTieringOf, localTier, tiersOf, type StorageCatalog, type StorageProvider, type StorageTier } from '../core/storage/prices.js';
import { ProfileBuilder } from '../core/storage/profile.js';
import { type AccessPattern, type CostParts, type ScheduleCost, allStandard, autoTieringCost, costSchedule, lifecycle3090, planTiers } from '../core/storage/tiering.js';
import { billingReport } from './billing.js';
import type { BillingStore } from './billing-ports.js';
import { type Progress, silentProgress } from './ports.js';

export interface StorageObjectRecord {
  bucket: string;
  key: string;
  sizeBytes: number;
  createdMs: number;
  storageClass?: string;
  /** Read times (epoch ms), for sources that list reads beside the object. */
  readsMs?: number[];
}

/** One access-log line: its time (the log's window) and, when it read an object, what it read. */
export interface StorageLogEvent {
  atMs: number;
  read?: { bucket: string; key: string; bytes: number };
}

export interface StoragePlanOptions {
  provider: StorageProvider;
  horizonMonths: number;
  prefixDepth: number;
  allowRestore?: boolean;
  /** End of the observation when there are no logs (default: the latest time in the objects). */
  asOfMs?: number;
  catalog?: StorageCatalog;
  /** Local disks or a NAS (core/storage/prices.ts localTier) priced beside the cloud plan. */
  localTier?: StorageTier;
}

/** Buckets the plan covered, as named in the object source (S3 Inventory's Bucket column). */
export interface StoragePlanBuckets {
  buckets: string[];
}

export interface PrefixRow {
  prefix: string;
  objects: number;
  bytes: number;
  readsPerMonth: number;
  plan: ScheduleCost;
  allStandard: Decimal;
  lifecycle3090: Decimal;
  autoTiering: Decimal | undefined;
  local: Decimal | undefined;
}

/** Ten years of an object's life: the prices are list prices of a date, and the plan's arrays are per month. */
export const MAX_HORIZON_MONTHS = 120;

export interface StoragePlanResult {
  provider: StorageProvider;
  horizonMonths: number;
  pricesDate: string;
  sources: string[];
  objects: number;
  bytes: number;
  reads: number;
  unmatchedReads: number;
  readsBeforeCreation: number;
  window: { fromMs: number | undefined; toMs: number };
  rows: PrefixRow[];
  totals: { plan: Decimal; allStandard: Decimal; lifecycle3090: Decimal; autoTiering: Decimal | undefined; local: Decimal | undefined };
  localTier: StorageTier | undefined;
  lifecycle: LifecycleOutput;
  buckets: string[];
}

export async function planStorage(objects: AsyncIterable<StorageObjectRecord>, logs: AsyncIterable<StorageLogEvent> | undefined, opts: StoragePlanOptions, progress: Progress = silentProgress): Promise<StoragePlanResult> {
  const catalog = opts.catalog ?? BUILTIN_STORAGE_CATALOG;
  const tiers = tiersOf(catalog, opts.provider);
  if (tiers.length === 0) throw new InvalidInput(`no storage tiers for provider ${opts.provider}`, [{ path: '--provider', message: 'not in the price catalog', found: opts.provider }], `Use one of: ${[...new Set(catalog.tiers.map((t) => t.provider))].join(', ')}.`);
  const auto = autoTieringOf(catalog, opts.provider);
  const builder = new ProfileBuilder({ horizonMonths: opts.horizonMonths, prefixDepth: opts.prefixDepth, minSizes: [...new Set([0, ...tiers.map((t) => t.minBillableObjectBytes)])], monitorMinBytes: auto?.minMonitoredObjectBytes ?? 0 });
  const index = new Map<string, number>();
  const buckets = new Set<string>();
  let latestMs = -Infinity;
  for await (const o of objects) {
    if (o.bucket) buckets.add(o.bucket);
    const i = builder.addObject(o.key, o.sizeBytes, o.createdMs / 1000);
    index.set(`${o.bucket}\u0000${o.key}`, i);
    latestMs = Math.max(latestMs, o.createdMs);
    for (const t of o.readsMs ?? []) {
      builder.addRead(i, t / 1000, o.sizeBytes);
      latestMs = Math.max(latestMs, t);
    }
  }
  if (index.size === 0) throw new InvalidInput('no objects to plan', [{ path: '', message: 'the object list is empty' }], 'Give an S3 Inventory report or an objects CSV with at least one object.');
  let fromMs: number | undefined;
  let toMs = opts.asOfMs ?? latestMs;
  if (logs) {
    let first = Infinity;
    let last = -Infinity;
    for await (const e of logs) {
      first = Math.min(first, e.atMs);
      last = Math.max(last, e.atMs);
      if (e.read) builder.addRead(index.get(`${e.read.bucket}\u0000${e.read.key}`), e.atMs / 1000, e.read.bytes);
    }
    if (first === Infinity) throw new InvalidInput('the access logs have no requests', [{ path: '--access-log', message: 'no log lines' }], 'Give the bucket\'s S3 server access log files, or leave --access-log out.');
    fromMs = first;
    toMs = last;
  }
  const patterns = builder.build(fromMs === undefined ? -Infinity : fromMs / 1000, toMs / 1000);
  const planOpts = { horizonMonths: opts.horizonMonths, allowRestore: opts.allowRestore === true };
  const rows: PrefixRow[] = [];
  progress.start(patterns.length, 'planning prefixes');
  for (const p of patterns) {
    rows.push(planRow(p, tiers, auto, planOpts, opts.localTier));
    progress.tick(rows.length);
  }
  progress.finish();
  const s = builder.summary();
  const totals = {
    plan: sum(rows.map((r) => r.plan.total)),
    allStandard: sum(rows.map((r) => r.allStandard)),
    lifecycle3090: sum(rows.map((r) => r.lifecycle3090)),
    autoTiering: auto ? sum(rows.map((r) => r.autoTiering ?? ZERO)) : undefined,
    local: opts.localTier ? sum(rows.map((r) => r.local ?? ZERO)) : undefined,
  };
  return {
    provider: opts.provider,
    horizonMonths: opts.horizonMonths,
    pricesDate: catalog.date,
    sources: [...new Set(tiers.map((t) => t.source))],
    objects: s.objects,
    bytes: s.bytes,
    reads: s.reads,
    unmatchedReads: s.unmatchedReads,
    readsBeforeCreation: s.readsBeforeCreation,
    window: { fromMs, toMs },
    rows,
    totals,
    buckets: [...buckets].sort(),
    localTier: opts.localTier,
    lifecycle: lifecycleRules(opts.provider, tiers[0]!.className, rows.map((r) => ({ prefix: r.prefix, steps: r.plan.steps })), Object.fromEntries(tiers.map((t) => [t.className, t.minAgeDaysForTransition]))),
  };
}

function planRow(p: AccessPattern, tiers: ReturnType<typeof tiersOf>, auto: ReturnType<typeof autoTieringOf>, opts: { horizonMonths: number; allowRestore: boolean }, local?: StorageTier): PrefixRow {
  return {
    prefix: p.name,
    objects: p.objects,
    bytes: p.bytes,
    readsPerMonth: p.readsByMonth.reduce((a, b) => a + b, 0) / Math.max(1, p.readsByMonth.length),
    plan: planTiers(p, tiers, opts),
    allStandard: allStandard(p, tiers, opts).total,
    lifecycle3090: lifecycle3090(p, tiers, opts).total,
    autoTiering: auto ? autoTieringCost(p, auto, tiers[0]!, opts).total : undefined,
    local: local ? costSchedule(p, [local], [{ fromMonth: 0, tierId: local.id }], opts).total : undefined,
  };
}

const partsJson = (p: CostParts) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, toPlain(v as Decimal)]));

/** The JSON the CLI's --json and the API answer: money as decimal strings. */
export function storagePlanToJson(r: StoragePlanResult) {
  const iso = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());
  return {
    provider: r.provider,
    currency: 'USD',
    horizonMonths: r.horizonMonths,
    pricesDate: r.pricesDate,
    sources: r.sources,
    objects: r.objects,
    bytes: r.bytes,
    reads: r.reads,
    unmatchedReads: r.unmatchedReads,
    readsBeforeCreation: r.readsBeforeCreation,
    window: { from: iso(r.window.fromMs), to: iso(r.window.toMs) },
    totals: { plan: toPlain(r.totals.plan), allStandard: toPlain(r.totals.allStandard), lifecycle3090: toPlain(r.totals.lifecycle3090), autoTiering: r.totals.autoTiering ? toPlain(r.totals.autoTiering) : null, local: r.totals.local ? toPlain(r.totals.local) : null },
    ...(r.localTier && { localTier: { id: r.localTier.id, storageUsdPerGibMonth: toPlain(r.localTier.storageUsdPerGibMonth), source: r.localTier.source } }),
    prefixes: r.rows.map((row) => ({
      prefix: row.prefix,
      objects: row.objects,
      bytes: row.bytes,
      readsPerMonth: row.readsPerMonth,
      steps: row.plan.steps,
      plan: toPlain(row.plan.total),
      planParts: partsJson(row.plan.parts),
      allStandard: toPlain(row.allStandard),
      lifecycle3090: toPlain(row.lifecycle3090),
      autoTiering: row.autoTiering ? toPlain(row.autoTiering) : null,
      local: row.local ? toPlain(row.local) : null,
    })),
    lifecycle: r.lifecycle,
  };
}

/** A FOCUS ResourceId names a bucket as its name, an ARN (arn:aws:s3:::name) or a path ending in it. */
export function resourceIsBucket(resourceId: string, bucket: string): boolean {
  return resourceId === bucket || resourceId.endsWith(`:::${bucket}`) || resourceId.endsWith(`/${bucket}`) || resourceId.endsWith(`:${bucket}`);
}

export interface StorageBillMonth {
  month: string;
  currency: string;
  effective: Decimal;
  billed: Decimal;
  resources: string[];
}

/**
 * What the ingested FOCUS bills say the resources' storage costs, per month: rows with
 * ServiceCategory "Storage" whose ResourceId is one of the resources (bucket names or ARNs).
 */
export async function storageBill(billing: BillingStore, resources: string[]): Promise<StorageBillMonth[]> {
  if (resources.length === 0) throw new InvalidInput('no resource to look up in the bills', [{ path: '--bill-resource', message: 'no bucket known' }], 'Name the bucket: --bill-resource my-bucket (an objects CSV has no bucket column).');
  const rows = await billingReport(billing, { by: [{ kind: 'column', name: 'ResourceId' }], granularity: 'month', where: [{ dim: { kind: 'column', name: 'ServiceCategory' }, value: 'Storage' }] });
  const months = new Map<string, StorageBillMonth>();
  for (const r of rows) {
    const id = r.keys[0];
    if (!id || !resources.some((b) => resourceIsBucket(id, b))) continue;
    const key = `${r.period}\u0000${r.currency}`;
    const m = months.get(key) ?? { month: String(r.period ?? ''), currency: r.currency, effective: ZERO, billed: ZERO, resources: [] };
    m.effective = m.effective.plus(r.effective);
    m.billed = m.billed.plus(r.billed);
    if (!m.resources.includes(id)) m.resources.push(id);
    months.set(key, m);
  }
  return [...months.values()].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : a.currency < b.currency ? -1 : 1));
}

export function storageBillToJson(months: StorageBillMonth[], plan: StoragePlanResult) {
  return {
    months: months.map((m) => ({ month: m.month, currency: m.currency, effective: toPlain(m.effective), billed: toPlain(m.billed), resources: m.resources })),
    planPerMonth: toPlain(plan.totals.plan.div(plan.horizonMonths)),
    allStandardPerMonth: toPlain(plan.totals.allStandard.div(plan.horizonMonths)),
  };
}

/** The built-in price catalog as JSON (`penny storage prices --json`, GET /api/storage/prices). */
export function storagePricesToJson(provider?: string, catalog: StorageCatalog = BUILTIN_STORAGE_CATALOG) {
  const tiers = catalog.tiers.filter((t) => !provider || t.provider === provider);
  const auto = catalog.autoTiering.filter((a) => !provider || a.provider === provider);
  return {
    date: catalog.date,
    currency: catalog.currency,
    tiers: tiers.map((t) => ({ ...t, storageUsdPerGibMonth: toPlain(t.storageUsdPerGibMonth), retrievalUsdPerGib: toPlain(t.retrievalUsdPerGib), readUsdPer1000: toPlain(t.readUsdPer1000), writeUsdPer1000: toPlain(t.writeUsdPer1000), transitionUsdPer1000: toPlain(t.transitionUsdPer1000) })),
    autoTiering: auto.map((a) => ({ ...a, monitoringUsdPer1000ObjectsMonth: toPlain(a.monitoringUsdPer1000ObjectsMonth), transitionUsdPer1000: toPlain(a.transitionUsdPer1000), steps: a.steps.map((x) => ({ afterIdleDays: x.afterIdleDays, storageUsdPerGibMonth: toPlain(x.storageUsdPerGibMonth) })) })),
  };
}

const LOCAL_KEYS = ['name', 'purchase', 'tib', 'months', 'watts', 'kwh', 'pue', 'maintenance'];

/**
 * Local disks or a NAS from its TCO terms, as `--local` (or the API's `local`) gives them:
 * `purchase=12000,tib=100,months=60,watts=400,kwh=0.20[,pue=1.5][,maintenance=1200][,name=nas]`.
 */
export function parseLocalSpec(spec: string, path = '--local'): StorageTier {
  const fields = new Map<string, string>();
  for (const part of spec.split(',').map((x) => x.trim()).filter(Boolean)) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if (!k || v === undefined || !LOCAL_KEYS.includes(k)) throw new InvalidInput(`${path}: ${JSON.stringify(part)} is not one of ${LOCAL_KEYS.join(', ')} = value`, [{ path, message: 'unknown field', found: part }], `Example: ${path} purchase=12000,tib=100,months=60,watts=400,kwh=0.20,pue=1.5`);
    fields.set(k, v);
  }
  const need = (k: string, what: string) => {
    const v = fields.get(k);
    if (v === undefined || !isDecimalString(v) || dec(v).lte(0)) throw new InvalidInput(`${path}: ${k} must be ${what} > 0`, [{ path: `${path} ${k}`, message: `expected ${what}`, ...(v !== undefined && { found: v }) }], `Example: ${path} purchase=12000,tib=100,months=60,watts=400,kwh=0.20,pue=1.5`);
    return dec(v);
  };
  const months = need('months', 'the lifetime in months');
  if (!months.isInteger()) throw new InvalidInput(`${path}: months must be a whole number`, [{ path: `${path} months`, message: 'expected an integer', found: months.toFixed() }]);
  return localTier({
    name: fields.get('name') ?? 'local',
    purchaseUsd: need('purchase', 'the purchase price in USD'),
    usableTib: need('tib', 'the usable TiB'),
    lifetimeMonths: months.toNumber(),
    powerW: need('watts', 'the power draw in W'),
    usdPerKwh: need('kwh', 'the electricity price in USD/kWh'),
    pue: fields.has('pue') ? need('pue', 'the PUE') : dec(1),
    ...(fields.has('maintenance') && { maintenanceUsdPerYear: need('maintenance', 'the yearly maintenance in USD') }),
  });
}
