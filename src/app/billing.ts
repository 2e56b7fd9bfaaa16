/**
 * Billing use cases: ingest FOCUS exports (transactional, idempotent), report and allocate spend,
 * and the budget loop (burn, forecast, alerts, actions).
 */
import { relative } from 'node:path';
import type { FocusRow } from '../core/billing/focus.js';
import { InvalidInput } from '../core/errors.js';
import { budgetStatus, monthOf, type BudgetStatus } from '../core/finops/budget.js';
import { scenarioSchema } from '../core/model/scenario.js';
import { scenarioSavings, type Recommendation } from '../core/finops/scenario-savings.js';
import { Decimal, ZERO, dec, roundPartsToTotal, sum } from '../core/money.js';
import type { BillingFileRecord, BillingStore, BudgetRecord, Dimension, ReportQuery, ReportRow } from './billing-ports.js';
import type { Clock, Progress, Store } from './ports.js';
import { silentProgress } from './ports.js';
import type { TelemetryStore } from './telemetry-ports.js';
import { gpuWasteReport, ownedGpuPrices } from './telemetry.js';
import { dailySpendSeries, modelForecaster } from './spend-series.js';
import { nearest } from '../core/text.js';

export interface IngestResult {
  status: 'ingested' | 'already-ingested';
  file: BillingFileRecord;
  notes: string[];
}

export interface FocusSource {
  sha256: string;
  /** Open the export: its header now (a bad header throws here), its rows batch by batch. */
  open(): Promise<{
    header: string[];
    /** Parsed rows in batches; after the last, throws InvalidInput if any cell was bad. */
    batches(onBytes: (read: number, total: number) => void): AsyncIterable<FocusRow[]>;
    /** Cells read leniently, filled as the batches are read. */
    notes: string[];
  }>;
}

/**
 * Ingest one export in one transaction; the same bytes again change nothing. Rows are written
 * batch by batch as they are parsed (memory stays flat however long the bill), and the file's
 * record, with totals summed on the way, last: a bad cell anywhere, or a crash, rolls back all.
 */
export async function ingestFocus(store: Store, billing: BillingStore, clock: Clock, path: string, source: FocusSource, opts: { currency?: string } = {}, progress: Progress = silentProgress): Promise<IngestResult> {
  const existing = await billing.getBillingFile(source.sha256);
  if (existing) return { status: 'already-ingested', file: existing, notes: [`${path} was ingested before (same content, ${existing.ingestedAt}); nothing changed`] };
  const reader = await source.open();
  const currencies = new Set<string>();
  let rows = 0;
  let billed = ZERO;
  let effective = ZERO;
  let periodStart: string | null = null;
  let periodEnd: string | null = null;
  progress.start(1, 'ingesting');
  const file = await store.transaction(async () => {
    for await (const batch of reader.batches((read, total) => {
      progress.start(total, 'ingesting');
      progress.tick(read);
    })) {
      for (const r of batch) {
        const c = r.text.BillingCurrency;
        if (c) currencies.add(c);
        const start = r.times.ChargePeriodStart!;
        const end = r.times.ChargePeriodEnd!;
        if (periodStart === null || start < periodStart) periodStart = start;
        if (periodEnd === null || end > periodEnd) periodEnd = end;
      }
      billed = billed.plus(sum(batch.map((r) => dec(r.money.BilledCost!))));
      effective = effective.plus(sum(batch.map((r) => dec(r.money.EffectiveCost!))));
      rows += batch.length;
      await billing.insertBillingRows(source.sha256, batch);
    }
    const f: BillingFileRecord = {
      id: source.sha256,
      path: relative(process.cwd(), path) || path,
      rows,
      // Rows without a currency of their own take the file's: its first, or --currency, or USD.
      currency: [...currencies][0] ?? opts.currency ?? 'USD',
      periodStart,
      periodEnd,
      billedTotal: billed.toFixed(),
      effectiveTotal: effective.toFixed(),
      columns: reader.header,
      ingestedAt: clock.now().toISOString(),
    };
    await billing.insertBillingFile(f);
    return f;
  });
  progress.finish();
  const notes: string[] = [];
  const lenient = reader.notes;
  if (lenient.length) notes.push(`${lenient.length} cell${lenient.length > 1 ? 's' : ''} read leniently: ${lenient.slice(0, 3).join('; ')}${lenient.length > 3 ? '; …' : ''}`);
  if (currencies.size > 1) notes.push(`several billing currencies (${[...currencies].join(', ')}): reports keep them apart`);
  if (!reader.header.includes('BillingCurrency')) notes.push(`no BillingCurrency column: amounts taken as ${file.currency}${opts.currency ? '' : ' (use --currency to say otherwise)'}`);
  return { status: 'ingested', file, notes };
}

/** `ServiceName`, `tag:team`, `x_Region` → a dimension. */
export function parseDimension(text: string): Dimension {
  const t = text.trim();
  if (t.startsWith('tag:')) {
    const key = t.slice(4);
    if (!key) throw new InvalidInput(`"${text}": a tag dimension needs a key, e.g. tag:team`, [{ path: 'by', message: 'empty tag key' }]);
    return { kind: 'tag', key };
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) throw new InvalidInput(`"${text}" is not a FOCUS column or tag:KEY`, [{ path: 'by', message: 'not a column name', found: text }], 'Give FOCUS column names (ServiceName, RegionId, …) or tag:KEY, comma-separated.');
  return { kind: 'column', name: t };
}

export function dimensionLabel(d: Dimension): string {
  return d.kind === 'tag' ? `tag:${d.key}` : d.name;
}

export async function billingReport(billing: BillingStore, q: ReportQuery): Promise<ReportRow[]> {
  await checkDimensions(billing, [...q.by, ...(q.where ?? []).map((w) => w.dim)]);
  return billing.billingReport(q);
}

/**
 * A column no ingested file has, or a tag key no row has, is a typo, not an empty group: refuse it
 * and name the likely one ("Did you mean ServiceName?"). Nothing to check before any ingest.
 */
export async function checkDimensions(billing: BillingStore, dims: Dimension[]): Promise<void> {
  const files = await billing.listBillingFiles();
  if (files.length === 0 || dims.length === 0) return;
  const columns = new Set(files.flatMap((f) => f.columns));
  let tags: string[] | undefined;
  for (const d of dims) {
    if (d.kind === 'column') {
      if (columns.has(d.name)) continue;
      const near = nearest(d.name, columns);
      throw new InvalidInput(
        `no ingested bill has a column ${d.name}`,
        [{ path: 'by', message: 'unknown column', expected: 'a column of the ingested bills, or tag:KEY', found: d.name }],
        near ? `Did you mean ${near}?` : `Columns of the ingested bills: ${[...columns].sort().join(', ')}.`,
      );
    }
    tags ??= await billing.tagKeys();
    if (tags.includes(d.key)) continue;
    const near = nearest(d.key, tags);
    throw new InvalidInput(
      `no ingested charge has a tag ${d.key}`,
      [{ path: 'by', message: 'unknown tag key', expected: 'a tag key of the ingested bills', found: `tag:${d.key}` }],
      near ? `Did you mean tag:${near}?` : tags.length ? `Tag keys in the ingested bills: ${tags.join(', ')}.` : 'The ingested bills have no tags.',
    );
  }
}

export interface Allocation {
  key: string | null;
  direct: Decimal;
  shared: Decimal;
  total: Decimal;
}

/**
 * Showback in the manner of OpenCost: each owner (tag value) gets its direct cost; cost without
 * an owner is shared, evenly or in proportion to direct cost; idle cost (unused commitments,
 * `CommitmentDiscountStatus = Unused`) is shown apart, or shared like the rest with
 * `idle: 'shared'`. Exact: the shares add up to the shared amount to the last digit (largest
 * remainder at 12 decimals).
 */
export async function allocate(billing: BillingStore, q: { tag: string; shared: 'even' | 'proportional'; idle?: 'apart' | 'shared'; from?: string; to?: string }): Promise<{ currency: string; owners: Allocation[]; unallocated: Decimal; idle: Decimal }[]> {
  const range = { ...(q.from && { from: q.from }), ...(q.to && { to: q.to }) };
  await checkDimensions(billing, [{ kind: 'tag', key: q.tag }]);
  const rows = await billing.billingReport({ by: [{ kind: 'tag', key: q.tag }, { kind: 'column', name: 'CommitmentDiscountStatus' }], ...range });
  const byCurrency = new Map<string, ReportRow[]>();
  for (const r of rows) byCurrency.set(r.currency, [...(byCurrency.get(r.currency) ?? []), r]);
  return [...byCurrency.entries()].map(([currency, rs]) => {
    const isIdle = (r: ReportRow) => q.idle !== 'shared' && r.keys[1] === 'Unused';
    const idle = sum(rs.filter(isIdle).map((r) => dec(r.effective)));
    const rest = rs.filter((r) => !isIdle(r));
    const ownerTotals = new Map<string, Decimal>();
    for (const r of rest) {
      const owner = r.keys[0];
      if (owner !== null && owner !== undefined) ownerTotals.set(owner, (ownerTotals.get(owner) ?? ZERO).plus(r.effective));
    }
    const owners = [...ownerTotals.keys()].sort();
    const unallocated = sum(rest.filter((r) => r.keys[0] === null).map((r) => dec(r.effective)));
    const direct = owners.map((o) => ownerTotals.get(o)!);
    const totalDirect = sum(direct);
    const raw = owners.map((_, i) => (q.shared === 'even' || totalDirect.isZero() ? unallocated.div(owners.length) : unallocated.times(direct[i]!).div(totalDirect)));
    const shares = owners.length ? roundPartsToTotal(raw, 12) : [];
    return {
      currency,
      unallocated,
      idle,
      owners: owners.map((key, i) => ({ key, direct: direct[i]!, shared: shares[i]!, total: direct[i]!.plus(shares[i]!) })).sort((a, b) => b.total.comparedTo(a.total)),
    };
  });
}

export async function setBudget(billing: BillingStore, clock: Clock, b: Omit<BudgetRecord, 'createdAt'>): Promise<BudgetRecord> {
  // A column no ingested bill has is a typo: refused now (values are checked per period at status).
  if (b.scope.kind === 'dimension') await checkDimensions(billing, [b.scope.dim]);
  const rec = { ...b, createdAt: clock.now().toISOString() };
  await billing.saveBudget(rec);
  return rec;
}

/** Savings the workspace knows of, as monthly amounts: from the latest recorded cost report. */
export async function knownSavings(store: Store): Promise<Recommendation[]> {
  const latest = await store.latestCostReport();
  if (!latest) return [];
  const rec = await store.getScenario(latest.scenarioId);
  if (!rec) return [];
  const scenario = scenarioSchema.parse(rec.scenario);
  const periodHours = (latest.report as { periodHours: number }).periodHours;
  const monthly = (s: Recommendation): Recommendation => ({ ...s, saving: s.saving.times(730).div(periodHours), basis: `${s.basis} (per month: × 730 h / ${periodHours} h)`, ...(s.alternatives && { alternatives: s.alternatives.map(monthly) }) });
  return scenarioSavings(scenario).map(monthly);
}

/** GPU waste findings (autostop, share, smaller GPU, spot), monthly; none when no telemetry is stored. */
export async function gpuWasteSavings(telemetry: TelemetryStore | undefined, store?: Store): Promise<Recommendation[]> {
  if (!telemetry || (await telemetry.listGpus()).length === 0) return [];
  return (await gpuWasteReport(telemetry, store ? { owned: await ownedGpuPrices(store) } : {})).recommendations;
}

export type BudgetScope = BudgetRecord['scope'];
const scopeWhere = (scope: BudgetScope) => (scope.kind === 'dimension' ? [{ dim: scope.dim, value: scope.value }] : []);
export const scopeText = (scope: BudgetScope) => (scope.kind === 'all' ? 'all spend' : `${dimensionLabel(scope.dim)}=${scope.value}`);
const day = (iso: string) => iso.slice(0, 10);

/**
 * A budget's scope must match rows of its period in its currency, or its "$0, on track" would be
 * a lie: a column no bill has, a value that never occurs there (with the likely one named), a
 * budget in EUR over USD spend are refused (InvalidInput: exit 2, HTTP 422).
 */
export async function checkBudgetScope(billing: BillingStore, b: Pick<BudgetRecord, 'name' | 'scope' | 'currency'>, period: { start: string; end: string }): Promise<void> {
  const where = scopeWhere(b.scope);
  const month = period.start.slice(0, 7);
  const fix = `Change it with: penny budget set ${b.name} --amount N --scope ... --currency ...`;
  if (b.scope.kind === 'dimension') {
    try {
      await checkDimensions(billing, [b.scope.dim]);
    } catch (e) {
      if (e instanceof InvalidInput) throw new InvalidInput(`budget ${b.name}: ${e.message}`, e.issues.map((i) => ({ ...i, path: 'scope' })), `${e.hint ?? ''} ${fix}`.trim());
      throw e;
    }
    const values = await billing.billingReport({ by: [b.scope.dim], from: period.start, to: period.end });
    const seen = [...new Set(values.map((r) => r.keys[0]).filter((k): k is string => k !== null))];
    if (!seen.includes(b.scope.value)) {
      const near = nearest(b.scope.value, seen);
      const label = dimensionLabel(b.scope.dim);
      throw new InvalidInput(
        `budget ${b.name}: no rows match ${label}=${b.scope.value} in the budget's period (${month})${near ? `; did you mean ${label}=${near}?` : ''}`,
        [{ path: 'scope', message: 'no row matches', expected: seen.length ? `one of ${seen.slice(0, 8).join(', ')}${seen.length > 8 ? ', …' : ''}` : `a value of ${label}`, found: b.scope.value }],
        seen.length ? `${label} in ${month}: ${seen.sort().slice(0, 12).join(', ')}${seen.length > 12 ? ', …' : ''}. ${fix}` : `No row of ${month} has ${label}. ${fix}`,
      );
    }
  }
  const spend = await billing.spendInWindow({ from: period.start, to: period.end, where });
  if (spend.length === 0) throw new InvalidInput(`budget ${b.name}: no billing data in the budget's period (${month})`, [{ path: 'at', message: 'no rows in the period', found: month }], 'Measure at a date inside the billing data: penny budget status --at YYYY-MM-DD.');
  if (!spend.some((x) => x.currency === b.currency)) {
    const others = spend.map((x) => x.currency).join(', ');
    throw new InvalidInput(
      `budget ${b.name} is in ${b.currency} but ${scopeText(b.scope)} is billed in ${others} in ${month}: a budget compares only with spend in its own currency`,
      [{ path: 'currency', message: 'no spend in this currency', expected: others, found: b.currency }],
      `Set the budget in the bill's currency: penny budget set ${b.name} --amount N --currency ${spend[0]!.currency}.`,
    );
  }
}

/** ResourceId and ResourceName values of the rows in a window and scope. */
async function resourcesOnBill(billing: BillingStore, q: { from: string; to: string; where: NonNullable<ReportQuery['where']> }): Promise<Set<string>> {
  const out = new Set<string>();
  for (const name of ['ResourceId', 'ResourceName']) {
    for (const r of await billing.billingReport({ by: [{ kind: 'column', name }], from: q.from, to: q.to, where: q.where })) if (r.keys[0]) out.add(r.keys[0]);
  }
  return out;
}

/**
 * Status of every budget at `at` (default: where the billing data ends). The month is the one that
 * contains the instant just before `at`; spend to date counts only charges before `at` (pro rata for
 * one spanning it) and, when `at` is later than the data, only up to where the data ends: the
 * forecast covers the rest of the month from there.
 */
export async function budgetStatuses(store: Store, billing: BillingStore, opts: { at?: string; telemetry?: TelemetryStore } = {}): Promise<(BudgetStatus & { forecastMethod: string; scope: BudgetScope; notes: string[] })[]> {
  const budgets = await billing.listBudgets();
  if (budgets.length === 0) return [];
  const dataEnd = await billing.lastChargeEnd();
  if (!dataEnd) throw new InvalidInput('no billing data to measure budgets against', [], 'Ingest a FOCUS export first: penny ingest FILE.');
  const at = new Date(opts.at ?? dataEnd).toISOString();
  // A charge ending exactly at midnight of the 1st belongs to the month before.
  const period = monthOf(new Date(Date.parse(at) - 1).toISOString());
  const notes: string[] = [];
  period.asOf = at;
  if (Date.parse(dataEnd) < Date.parse(at)) {
    period.asOf = new Date(Math.max(Date.parse(period.start), Date.parse(dataEnd))).toISOString();
    notes.push(`the billing data ends ${dataEnd.slice(0, 16).replace('T', ' ')} UTC, before ${at.slice(0, 16).replace('T', ' ')}: spend is measured to where it ends and the forecast covers the rest of the month`);
  }
  const savings = [...(await knownSavings(store)), ...(await gpuWasteSavings(opts.telemetry, store))];
  const out: (BudgetStatus & { forecastMethod: string; scope: BudgetScope; notes: string[] })[] = [];
  for (const b of budgets) {
    await checkBudgetScope(billing, b, period);
    const where = scopeWhere(b.scope);
    const ownNotes = [...notes];
    // A saving closes this budget's gap only if its resource is on this budget's bill: savings on
    // owned GPUs, or on resources outside the scope, don't lower this spend.
    const billed = await resourcesOnBill(billing, { from: period.start, to: period.end, where });
    const onBill = (r: Recommendation) => [r.resource, ...(r.billedAs ?? [])].some((id) => billed.has(id));
    const inCurrency = savings.filter((s) => s.currency === b.currency);
    const own = inCurrency.filter(onBill);
    const elsewhere = savings.length - own.length;
    if (elsewhere > 0) ownNotes.push(`${elsewhere} saving(s) found in the workspace are not on this budget's bill (${scopeText(b.scope)}, ${b.currency}, ${period.start.slice(0, 7)}): owned hardware, other scopes or currencies; not counted as actions`);
    const spent = dec((await billing.spendInWindow({ from: period.start, to: period.asOf, where })).find((x) => x.currency === b.currency)?.effective ?? '0');
    const unused = (await billing.commitmentUtilisation({ from: period.start, to: period.asOf, where })).filter((c) => dec(c.unused).gt(0) && c.currency === b.currency);
    const candidates: Recommendation[] = [
      ...own,
      ...unused.map((c) => ({
        id: `commitment:${c.commitmentId}`,
        resource: c.commitmentId,
        action: 'right-size-commitment',
        title: `Right-size commitment ${c.commitmentId} (unused ${dec(c.unused).toDecimalPlaces(2)} this month)`,
        saving: dec(c.unused),
        currency: c.currency,
        effort: 'high' as const,
        basis: `unused commitment in the billing data this month; saved at renewal or by exchange`,
      })),
    ];
    // The forecasting models on this scope's daily spend (whole days before `asOf`), when there are enough of them.
    const lastDay = day(new Date(Date.parse(period.asOf)).toISOString());
    const series = await dailySpendSeries(billing, { currency: b.currency, to: `${lastDay}T00:00:00.000Z`, fillTo: true, ...(where.length && { where }) });
    const model = modelForecaster(series);
    const status = budgetStatus({ name: b.name, amount: dec(b.amount), currency: b.currency, thresholds: b.thresholds }, period, spent, candidates, model.forecaster);
    out.push({ ...status, forecastMethod: model.method(), scope: b.scope, notes: ownNotes });
  }
  return out;
}

export function budgetStatusToJson(s: BudgetStatus & { forecastMethod?: string; scope?: BudgetScope; notes?: string[] }) {
  return {
    ...(s.forecastMethod && { forecastMethod: s.forecastMethod }),
    name: s.name,
    ...(s.scope && { scope: scopeText(s.scope) }),
    currency: s.currency,
    amount: s.amount.toFixed(),
    period: s.period,
    spent: s.spent.toFixed(),
    spentShare: s.spentShare.toDecimalPlaces(6).toNumber(),
    forecast: s.forecast.toDecimalPlaces(12).toFixed(),
    forecastShare: s.forecastShare.toDecimalPlaces(6).toNumber(),
    overrun: s.overrun.toDecimalPlaces(12).toFixed(),
    alerts: s.alerts.map((a) => ({ threshold: a.threshold, kind: a.kind, amount: a.amount.toFixed() })),
    actions: s.actions.map((a) => ({ id: a.id, title: a.title, saving: a.saving.toDecimalPlaces(12).toFixed(), effort: a.effort, basis: a.basis, closesCumulative: a.closesCumulative.toDecimalPlaces(4).toNumber(), ...(a.alternatives && { alternatives: a.alternatives.map((x) => ({ id: x.id, title: x.title, saving: x.saving.toDecimalPlaces(12).toFixed() })) }) })),
    closesGap: s.closesGap,
    notes: s.notes ?? [],
  };
}
