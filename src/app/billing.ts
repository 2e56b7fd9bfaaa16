/**
 * Billing use cases: ingest FOCUS exports (transactional, idempotent), report and allocate spend,
 * and the budget loop (burn, forecast, alerts, actions).
 */
import { relative } from 'node:path';
import { sliceKey, type FocusRow } from '../core/billing/focus.js';
import { InvalidInput, NotFound } from '../core/errors.js';
import { budgetStatus, monthOf, type BudgetStatus } from '../core/finops/budget.js';
import { scenarioSchema } from '../core/model/scenario.js';
import { scenarioSavings, type Recommendation } from '../core/finops/scenario-savings.js';
import { Decimal, ZERO, dec, isCurrencyCode, isDecimalString, roundPartsToTotal, sum } from '../core/money.js';
import type { BillingFileRecord, BillingSlice, BillingStore, BudgetRecord, Dimension, LiveSlice, ReportQuery, ReportRow } from './billing-ports.js';
import type { Clock, Progress, Store } from './ports.js';
import { silentProgress } from './ports.js';
import type { TelemetryStore } from './telemetry-ports.js';
import { gpuWasteReport, ownedGpuPrices } from './telemetry.js';
import { dailySpendSeries, modelForecaster } from './spend-series.js';
import { nearest } from '../core/text.js';

export interface IngestResult {
  /** `superseded`: recorded, but a fuller or later export of the same slices already counts. */
  status: 'ingested' | 'already-ingested' | 'superseded';
  file: BillingFileRecord;
  /** The file's totals per currency (file.billedTotal/effectiveTotal are those of file.currency). */
  totals: { currency: string; rows: number; billed: string; effective: string }[];
  /** What this file's restatement took out of the counted totals (zero rows on a first delivery). */
  replaced: { rows: number; files: string[]; change: { currency: string; effective: string }[] };
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
    /** What the reader could not check and the user should, once all batches are read. */
    warnings?: string[];
    /** Hash over the normalised rows, once all batches are read. */
    contentHash(): string;
    /** Release the reader (its thread) when it is not read to the end. */
    close?(): void;
  }>;
}

/** Thrown inside the ingest transaction to roll it back when the rows turn out to be stored already. */
class SameContent extends Error {
  constructor(readonly existing: BillingFileRecord) {
    super('same content');
  }
}

interface SliceAcc {
  sliceKey: string;
  billingAccountId: string | null;
  billingPeriodStart: string | null;
  coverageStart: string;
  coverageEnd: string;
  /** Sums in integer units of 10^-18 (bigint): exact, and cheaper per row than a Decimal. */
  byCurrency: Map<string | null, { rows: number; billed: bigint; effective: bigint }>;
}

const SCALE = 18;
const UNIT = new Decimal(10).pow(SCALE);
/** A normalised decimal cell ("-12.5") as integer units of 10^-18. */
function toUnits(s: string): bigint {
  const neg = s.charCodeAt(0) === 45;
  const body = neg ? s.slice(1) : s;
  const dot = body.indexOf('.');
  const u = dot < 0 ? BigInt(body + '0'.repeat(SCALE)) : BigInt(body.slice(0, dot) + body.slice(dot + 1).padEnd(SCALE, '0'));
  return neg ? -u : u;
}
const fromUnits = (u: bigint): Decimal => new Decimal(u.toString()).div(UNIT);

const noReplacement = { rows: 0, files: [], change: [] };

/**
 * Rows per store write, with a turn of the event loop between writes. Encoding a row for the store
 * costs the calling thread tens of microseconds: 2,048-row writes put the health p99 of a server
 * taking a 67k-row upload at 74 ms, 512-row writes at about 30 ms (npm run bench api).
 */
const APPEND_SLICE_ROWS = 512;

/**
 * The delivery id for a name the user gives (the export run's id): kept apart from file ids (hex
 * digests) by its prefix. Parts ingested under one name add up and never restate one another.
 */
export function deliveryId(name: string, path = '--delivery'): string {
  const bare = name.startsWith('delivery:') ? name.slice('delivery:'.length) : name;
  if (!/^[\w.:@/-]{1,200}$/.test(bare)) throw new InvalidInput(`delivery "${name}" is not a delivery name`, [{ path, message: '1–200 letters, digits and . _ - : @ /', found: name }], 'Name the export run, e.g. cur-2024-05-run-7f3a; each run of an export needs a name of its own.');
  return `delivery:${bare}`;
}

/**
 * Ingest one export in one transaction. Rows are written batch by batch as they are parsed
 * (memory stays flat however long the bill), then the file's slices and its record, last: rows
 * count only through a committed record (the store's billing_live view), so a crash at any point,
 * even inside the commit, cannot leave rows that are summed. The same bytes, or the same rows in
 * another encoding, change nothing. A fuller or later export of the same slices (billing account ×
 * billing period) replaces the older one's rows in every total; the result says by how much.
 */
export async function ingestFocus(billing: BillingStore, clock: Clock, path: string, source: FocusSource, opts: { currency?: string; delivery?: string; name?: string } = {}, progress: Progress = silentProgress): Promise<IngestResult> {
  // What the file is called in the record and the notes: an upload's own name, not the server's
  // path where its bytes were kept while they were read.
  const name = opts.name ?? (relative(process.cwd(), path) || path);
  // The file's own totals per currency, as on its first ingest: a bill in several currencies is
  // never shown as the total of its first currency alone.
  const same = async (existing: BillingFileRecord): Promise<IngestResult> => {
    const totals = (await billing.listBillingFiles()).find((f) => f.id === existing.id)?.totals ?? [];
    return { status: 'already-ingested', file: existing, totals, replaced: noReplacement, notes: [`${name} was ingested before (same content as ${existing.path}, ${existing.ingestedAt}); nothing changed`] };
  };
  const existing = await billing.findBillingFile({ sha256: source.sha256 });
  if (existing) return same(existing);
  const reader = await source.open();
  const currencies = new Set<string>();
  const slices = new Map<string, SliceAcc>();
  let rows = 0;
  let withoutCurrency = 0;
  let billed = ZERO;
  let effective = ZERO;
  let periodStart: string | null = null;
  let periodEnd: string | null = null;
  progress.start(1, 'ingesting');
  let outcome: { file: BillingFileRecord; totals: IngestResult['totals']; replaced: IngestResult['replaced']; superseded: boolean; swept: number };
  try {
    outcome = await billing.transaction(async (tx) => {
      // Rows of an ingest killed before its record was committed: never counted, removed now.
      const swept = await tx.sweepOrphanRows();
      for await (const batch of reader.batches((read, total) => {
        progress.start(total, 'ingesting');
        progress.tick(read);
      })) {
        for (const r of batch) {
          const c = r.text.BillingCurrency ?? null;
          if (c) currencies.add(c);
          else withoutCurrency++;
          const start = r.times.ChargePeriodStart!;
          const end = r.times.ChargePeriodEnd!;
          if (periodStart === null || start < periodStart) periodStart = start;
          if (periodEnd === null || end > periodEnd) periodEnd = end;
          const key = sliceKey(r);
          let sl = slices.get(key);
          if (!sl) {
            sl = { sliceKey: key, billingAccountId: r.text.BillingAccountId ?? null, billingPeriodStart: r.times.BillingPeriodStart, coverageStart: start, coverageEnd: end, byCurrency: new Map() };
            slices.set(key, sl);
          }
          if (start < sl.coverageStart) sl.coverageStart = start;
          if (end > sl.coverageEnd) sl.coverageEnd = end;
          let t = sl.byCurrency.get(c);
          if (!t) {
            t = { rows: 0, billed: 0n, effective: 0n };
            sl.byCurrency.set(c, t);
          }
          t.rows++;
          t.billed += toUnits(r.money.BilledCost!);
          t.effective += toUnits(r.money.EffectiveCost!);
        }
        rows += batch.length;
        // Written a slice at a time with a turn of the event loop between: whatever a store does
        // on the calling thread per row (encoding it) stays short for a serving process.
        for (let i = 0; i < batch.length; i += APPEND_SLICE_ROWS) {
          await tx.insertBillingRows(source.sha256, batch.length <= APPEND_SLICE_ROWS ? batch : batch.slice(i, i + APPEND_SLICE_ROWS));
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      // From here to the commit no other write decides which rows count (PostgreSQL: another
      // process's ingest may have committed these bytes or rows while this one read them).
      await tx.lockCounting();
      const sameBytes = await tx.findBillingFile({ sha256: source.sha256 });
      if (sameBytes) throw new SameContent(sameBytes);
      const contentHash = reader.contentHash();
      const twin = await tx.findBillingFile({ contentHash });
      if (twin) throw new SameContent(twin);
      // Rows without a currency of their own take the file's: its first, or --currency, or USD.
      const currency = [...currencies][0] ?? opts.currency ?? 'USD';
      // The file's totals are its slices' in the file's currency: amounts in other currencies are
      // never summed under its label (they are in the per-currency totals).
      for (const sl of slices.values()) {
        for (const [c, t] of sl.byCurrency) {
          if ((c ?? currency) !== currency) continue;
          billed = billed.plus(fromUnits(t.billed));
          effective = effective.plus(fromUnits(t.effective));
        }
      }
      const f: BillingFileRecord = {
        id: source.sha256,
        path: name,
        rows,
        currency,
        periodStart,
        periodEnd,
        billedTotal: billed.toFixed(),
        effectiveTotal: effective.toFixed(),
        columns: reader.header,
        ingestedAt: clock.now().toISOString(),
        sha256: source.sha256,
        contentHash,
        deliveryId: opts.delivery ?? source.sha256,
      };
      const keys = [...slices.keys()];
      const before = await tx.liveSlices(keys);
      const merged = new Map<string, BillingSlice>();
      for (const sl of slices.values()) {
        for (const [c, t] of sl.byCurrency) {
          const cur = c ?? currency;
          const k = `${sl.sliceKey}\u0000${cur}`;
          const m = merged.get(k);
          merged.set(k, {
            sliceKey: sl.sliceKey,
            billingAccountId: sl.billingAccountId,
            billingPeriodStart: sl.billingPeriodStart,
            currency: cur,
            coverageStart: sl.coverageStart,
            coverageEnd: sl.coverageEnd,
            rows: (m?.rows ?? 0) + t.rows,
            billed: dec(m?.billed ?? 0).plus(fromUnits(t.billed)).toFixed(),
            effective: dec(m?.effective ?? 0).plus(fromUnits(t.effective)).toFixed(),
          });
        }
      }
      checkStorable(opts.name ?? path, f, [...merged.values()]);
      await tx.insertBillingFile(f, [...merged.values()], withoutCurrency > 0);
      const after = await tx.liveSlices(keys);
      const totals = new Map<string, { currency: string; rows: number; billed: Decimal; effective: Decimal }>();
      for (const m of merged.values()) {
        const t = totals.get(m.currency) ?? { currency: m.currency, rows: 0, billed: ZERO, effective: ZERO };
        totals.set(m.currency, { currency: m.currency, rows: t.rows + m.rows, billed: t.billed.plus(m.billed), effective: t.effective.plus(m.effective) });
      }
      const perCurrency = [...totals.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)).map((t) => ({ currency: t.currency, rows: t.rows, billed: t.billed.toFixed(), effective: t.effective.toFixed() }));
      const r = restatement(f.id, before, after);
      // A file without charges has no slices: none of its own is live, yet nothing replaced it.
      return { file: f, totals: perCurrency, swept, replaced: r.replaced, superseded: r.superseded && slices.size > 0 };
    });
  } catch (e) {
    if (e instanceof SameContent) return same(e.existing);
    throw e;
  } finally {
    reader.close?.();
    progress.finish();
  }
  const { file, replaced, superseded, totals } = outcome;
  const notes: string[] = [];
  const lenient = reader.notes;
  notes.push(...(reader.warnings ?? []));
  if (lenient.length) notes.push(`${lenient.length} cell${lenient.length > 1 ? 's' : ''} read leniently: ${lenient.slice(0, 3).join('; ')}${lenient.length > 3 ? '; …' : ''}`);
  if (currencies.size > 1) notes.push(`several billing currencies (${[...currencies].join(', ')}): totals and reports keep them apart, never summed`);
  if (!reader.header.includes('BillingCurrency')) notes.push(`no BillingCurrency column: amounts taken as ${file.currency}${opts.currency ? '' : ' (use --currency to say otherwise)'}`);
  if (replaced.rows > 0) notes.push(`restatement: replaced ${replaced.rows} row${replaced.rows === 1 ? '' : 's'} of ${replaced.files.length} earlier file${replaced.files.length === 1 ? '' : 's'}; total changed by ${replaced.change.map((c) => `${signed(c.effective)} ${c.currency}`).join(', ')}`);
  if (superseded) notes.push('a fuller or later export of the same billing account and period is already counted: this file is kept (penny billing files) but replaces nothing and adds nothing');
  if (file.rows === 0) notes.push('no charges in the file (a header only): recorded with 0 rows; it adds nothing and replaces nothing');
  if (outcome.swept > 0) notes.push(`${outcome.swept} rows left by an interrupted ingest (never counted) were removed`);
  return { status: superseded ? 'superseded' : 'ingested', file, totals, replaced, notes };
}

/** What DECIMAL(38, 18) holds: 20 digits before the point. */
const STORABLE = new Decimal(10).pow(20);

/**
 * Each row's amounts are below 10^20 (the importer checks), but a file's sums are stored too (per
 * slice and for the file): sums the store cannot hold are bad input, refused with the file, the
 * column and the slice, never a failed write in the store.
 */
function checkStorable(path: string, f: BillingFileRecord, slices: BillingSlice[]): void {
  const sums = [
    ...slices.flatMap((s) => (['billed', 'effective'] as const).map((k) => ({ column: k === 'billed' ? 'BilledCost' : 'EffectiveCost', value: s[k], where: `billing account ${s.billingAccountId ?? '(none)'}, billing period ${s.billingPeriodStart?.slice(0, 7) ?? s.coverageStart.slice(0, 7)}, ${s.currency}` }))),
    { column: 'BilledCost', value: f.billedTotal, where: `the file's total in ${f.currency}` },
    { column: 'EffectiveCost', value: f.effectiveTotal, where: `the file's total in ${f.currency}` },
  ];
  const over = sums.filter((x) => dec(x.value).abs().gte(STORABLE));
  if (over.length === 0) return;
  throw new InvalidInput(
    `${path}: ${over[0]!.column} adds up to ${over[0]!.value} (${over[0]!.where}): sums must stay below 10^20 in magnitude; nothing was ingested`,
    over.map((x) => ({ path: x.column, file: path, message: `adds up to ${x.value} (${x.where})`, expected: 'a sum below 10^20 in magnitude', found: x.value })),
    'Check the amounts in the file (a cost in the wrong unit, or a column shifted by an unquoted comma); the store keeps amounts and their sums to 20 digits before the point.',
  );
}

const signed = (x: string) => (x.startsWith('-') ? x : `+${x}`);

/** What an ingest or removal changed in the counted slices of some keys, from their before/after. */
export function restatement(fileId: string, before: LiveSlice[], after: LiveSlice[]): { replaced: IngestResult['replaced']; superseded: boolean } {
  const live = (xs: LiveSlice[]) => new Set(xs.map((x) => `${x.fileId}\u0000${x.sliceKey}\u0000${x.currency}`));
  const nowLive = live(after);
  const gone = before.filter((x) => !nowLive.has(`${x.fileId}\u0000${x.sliceKey}\u0000${x.currency}`));
  const totals = (xs: LiveSlice[]) => {
    const m = new Map<string, Decimal>();
    for (const x of xs) m.set(x.currency, (m.get(x.currency) ?? ZERO).plus(x.effective));
    return m;
  };
  const b = totals(before);
  const a = totals(after);
  const change = [...new Set([...b.keys(), ...a.keys()])].sort().map((currency) => ({ currency, effective: (a.get(currency) ?? ZERO).minus(b.get(currency) ?? ZERO).toFixed() }));
  return {
    replaced: { rows: gone.reduce((n, x) => n + x.rows, 0), files: [...new Set(gone.map((x) => x.fileId))], change: gone.length ? change : [] },
    superseded: !after.some((x) => x.fileId === fileId),
  };
}

/** Take an ingested file out, in one transaction; slices it had replaced count again. */
export async function removeBillingFile(billing: BillingStore, id: string): Promise<{ file: BillingFileRecord; removedRows: number; restoredRows: number; change: { currency: string; effective: string }[] }> {
  const file = await findFile(billing, id);
  return billing.transaction(async (tx) => {
    await tx.lockCounting();
    const keys = await tx.sliceKeysOf(file.id);
    const before = await tx.liveSlices(keys);
    // Another remove of the same file may have committed since findFile: this one removed nothing
    // and says so (404), rather than answering 200 with 0 rows.
    if (!(await tx.removeBillingFile(file.id))) throw new NotFound(`billing file ${file.id.slice(0, 12)} (${file.path.split(/[\\/]/).pop()}) was removed meanwhile`, 'penny billing files lists the ingested files and their ids.');
    const after = await tx.liveSlices(keys);
    const k = (x: LiveSlice) => `${x.fileId}\u0000${x.sliceKey}\u0000${x.currency}`;
    const was = new Set(before.map(k));
    return {
      file,
      removedRows: before.filter((x) => x.fileId === file.id).reduce((n, x) => n + x.rows, 0),
      restoredRows: after.filter((x) => !was.has(k(x))).reduce((n, x) => n + x.rows, 0),
      change: changeOf(before, after),
    };
  });
}

function changeOf(before: LiveSlice[], after: LiveSlice[]) {
  const m = new Map<string, Decimal>();
  for (const x of after) m.set(x.currency, (m.get(x.currency) ?? ZERO).plus(x.effective));
  for (const x of before) m.set(x.currency, (m.get(x.currency) ?? ZERO).minus(x.effective));
  return [...m.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([currency, d]) => ({ currency, effective: d.toFixed() }));
}

/** A file by its id or a unique prefix of it (ids are long hashes; listings show 12 characters). */
export async function findFile(billing: BillingStore, id: string): Promise<BillingFileRecord> {
  const files = await billing.listBillingFiles();
  const matches = files.filter((f) => f.id === id || (id.length >= 4 && f.id.startsWith(id)));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new InvalidInput(`"${id}" matches ${matches.length} ingested files`, [{ path: 'id', message: 'ambiguous prefix', found: id }], 'Give more characters of the id (penny billing files lists them).');
  throw new NotFound(`no ingested billing file has id "${id}"`, 'penny billing files lists the ingested files and their ids.');
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
export async function checkDimensions(billing: BillingStore, dims: Dimension[], path = 'by'): Promise<void> {
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
        [{ path, message: 'unknown column', expected: 'a column of the ingested bills, or tag:KEY', found: d.name }],
        near ? `Did you mean ${near}?` : `Columns of the ingested bills: ${[...columns].sort().join(', ')}.`,
      );
    }
    tags ??= await billing.tagKeys();
    if (tags.includes(d.key)) continue;
    const near = nearest(d.key, tags);
    throw new InvalidInput(
      `no ingested charge has a tag ${d.key}`,
      [{ path, message: 'unknown tag key', expected: 'a tag key of the ingested bills', found: `tag:${d.key}` }],
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
 * remainder at 12 decimals). In each currency the owners' totals + idle + unshared (untagged cost
 * of a currency in which no charge has the tag, so no owner to share it) = the bill.
 */
export async function allocate(billing: BillingStore, q: { tag: string; shared: 'even' | 'proportional'; idle?: 'apart' | 'shared'; from?: string; to?: string }): Promise<{ currency: string; owners: Allocation[]; unallocated: Decimal; unshared: Decimal; idle: Decimal }[]> {
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
      // No charge in this currency has the tag: there is no owner to share the untagged cost with,
      // and it stays apart rather than dropping out of the total.
      unshared: owners.length ? ZERO : unallocated,
      idle,
      owners: owners.map((key, i) => ({ key, direct: direct[i]!, shared: shares[i]!, total: direct[i]!.plus(shares[i]!) })).sort((a, b) => b.total.comparedTo(a.total)),
    };
  });
}

/** A budget scope from its text: `all`, `COLUMN=VALUE` or `tag:KEY=VALUE` (what scopeText writes reads back). */
export function parseBudgetScope(text: string, path = '--scope'): BudgetRecord['scope'] {
  if (text === 'all' || text === 'all spend') return { kind: 'all' };
  const eq = text.lastIndexOf('=');
  if (eq <= 0 || eq === text.length - 1) throw new InvalidInput(`${path} "${text}": expected all, COLUMN=VALUE or tag:KEY=VALUE`, [{ path, message: 'not a scope', found: text }], 'For example --scope ServiceName=AwesomeDB or --scope tag:team=research.');
  return { kind: 'dimension', dim: parseDimension(text.slice(0, eq)), value: text.slice(eq + 1) };
}

/**
 * A budget as a user gives it (CLI flags or an API body), checked: a positive amount, an ISO 4217
 * currency, thresholds in percent. `names` are the fields as the caller calls them, for messages.
 */
export function budgetInput(name: string, given: { amount: string; currency?: string; scope?: string; thresholds?: number[] }, names: { amount: string; currency: string; scope: string; thresholds: string } = { amount: '--amount', currency: '--currency', scope: '--scope', thresholds: '--thresholds' }): Omit<BudgetRecord, 'createdAt'> {
  if (!/^[\w.:@/-]{1,100}$/.test(name)) throw new InvalidInput(`"${name}" is not a budget name`, [{ path: 'name', message: '1–100 letters, digits and . _ - : @ /', found: name }]);
  if (!isDecimalString(given.amount) || dec(given.amount).lte(0)) throw new InvalidInput(`${names.amount} must be a positive number, found "${given.amount}"`, [{ path: names.amount, message: 'not a positive number', found: given.amount }]);
  // The store keeps DECIMAL(38, 18): an amount it would round, or cannot hold, is refused here
  // rather than confirmed and then stored as another number (or failing in the store).
  const amount = dec(given.amount);
  if (amount.decimalPlaces() > 18 || amount.gte(STORABLE)) throw new InvalidInput(`${names.amount} "${given.amount}" cannot be kept exactly: at most 18 digits after the point and below 10^20`, [{ path: names.amount, message: 'out of range', expected: 'below 10^20, at most 18 decimals', found: given.amount }], 'Give the monthly budget in the currency\'s units, e.g. 150000 or 1234.56.');
  const currency = (given.currency ?? 'USD').toUpperCase();
  if (!isCurrencyCode(currency)) throw new InvalidInput(`${names.currency} "${given.currency}" is not an ISO 4217 code`, [{ path: names.currency, message: 'unknown currency', found: given.currency }]);
  const thresholds = given.thresholds ?? [50, 80, 100];
  if (thresholds.length === 0 || thresholds.some((t) => !Number.isFinite(t) || t <= 0 || t > 1000)) throw new InvalidInput(`${names.thresholds} must be percentages such as 50,80,100, found "${thresholds.join(',')}"`, [{ path: names.thresholds, message: 'not percentages', found: thresholds.join(',') }]);
  return { name, amount: dec(given.amount).toFixed(), currency, period: 'month', scope: parseBudgetScope(given.scope ?? 'all', names.scope), thresholds };
}

/** A budget as JSON for the API: its scope as text (parseBudgetScope reads it back). */
export function budgetToJson(b: BudgetRecord) {
  return { ...b, scope: scopeText(b.scope) };
}

/** `scopePath`: what the caller calls the scope (`--scope`, `scope`), where its issue is reported. */
export async function setBudget(billing: BillingStore, clock: Clock, b: Omit<BudgetRecord, 'createdAt'>, scopePath = 'scope'): Promise<BudgetRecord> {
  // A column no ingested bill has is a typo: refused now (values are checked per period at status).
  if (b.scope.kind === 'dimension') await checkDimensions(billing, [b.scope.dim], scopePath);
  const rec = { ...b, createdAt: clock.now().toISOString() };
  await billing.saveBudget(rec);
  return rec;
}

/** A month of savings, as every saving in a budget's actions is stated: 730 h. */
const HOURS_PER_MONTH = 730;

/** Savings the workspace knows of, as monthly amounts: from the latest recorded cost report. */
export async function knownSavings(store: Store): Promise<Recommendation[]> {
  const latest = await store.latestCostReport();
  if (!latest) return [];
  const rec = await store.getScenario(latest.scenarioId);
  if (!rec) return [];
  const scenario = scenarioSchema.parse(rec.scenario);
  const periodHours = (latest.report as { periodHours: number }).periodHours;
  const monthly = (s: Recommendation): Recommendation => ({ ...s, saving: s.saving.times(HOURS_PER_MONTH).div(periodHours), basis: `${s.basis} (per month: × ${HOURS_PER_MONTH} h / ${periodHours} h)`, ...(s.alternatives && { alternatives: s.alternatives.map(monthly) }) });
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
export async function budgetStatuses(store: Store, billing: BillingStore, opts: { at?: string; telemetry?: TelemetryStore } = {}): Promise<BudgetStatusEntry[]> {
  const r = await budgetReport(store, billing, opts);
  if (r.invalid[0]) throw r.invalid[0].problem;
  return r.statuses;
}

export type BudgetStatusEntry = BudgetStatus & { forecastMethod: string; scope: BudgetScope; notes: string[] };

/** A budget that cannot be measured (its scope or currency matches no data), with the reason. */
export interface InvalidBudget {
  name: string;
  scope: BudgetScope;
  currency: string;
  amount: Decimal;
  problem: InvalidInput;
}

/**
 * Every budget's status; a budget that cannot be measured is set apart with its reason, so one
 * stale scope never hides the other budgets' burn.
 */
export async function budgetReport(store: Store, billing: BillingStore, opts: { at?: string; telemetry?: TelemetryStore } = {}): Promise<{ statuses: BudgetStatusEntry[]; invalid: InvalidBudget[] }> {
  const budgets = await billing.listBudgets();
  const invalid: InvalidBudget[] = [];
  if (budgets.length === 0) return { statuses: [], invalid };
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
  const out: BudgetStatusEntry[] = [];
  for (const b of budgets) {
    try {
      await checkBudgetScope(billing, b, period);
    } catch (e) {
      if (!(e instanceof InvalidInput)) throw e;
      invalid.push({ name: b.name, scope: b.scope, currency: b.currency, amount: dec(b.amount), problem: e });
      continue;
    }
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
    // Every other action's saving is per month of 730 h: the unused part of a commitment so far
    // this month is brought to the same month (its run rate), not listed as if it were a month's.
    const elapsedH = dec(Date.parse(period.asOf) - Date.parse(period.start)).div(3_600_000);
    const candidates: Recommendation[] = [
      ...own,
      ...(elapsedH.gt(0) ? unused : []).map((c) => ({
        id: `commitment:${c.commitmentId}`,
        resource: c.commitmentId,
        action: 'right-size-commitment',
        title: `Right-size commitment ${c.commitmentId} (unused ${dec(c.unused).toDecimalPlaces(2)} so far this month)`,
        saving: dec(c.unused).times(HOURS_PER_MONTH).div(elapsedH),
        currency: c.currency,
        effort: 'high' as const,
        basis: `unused commitment in the billing data: ${dec(c.unused).toDecimalPlaces(2)} over the ${elapsedH.toDecimalPlaces(1)} h of the month to date, × ${HOURS_PER_MONTH} h / ${elapsedH.toDecimalPlaces(1)} h for a month; saved at renewal or by exchange`,
      })),
    ];
    // The forecasting models on this scope's daily spend (whole days before `asOf`), when there are enough of them.
    const lastDay = day(new Date(Date.parse(period.asOf)).toISOString());
    const series = await dailySpendSeries(billing, { currency: b.currency, to: `${lastDay}T00:00:00.000Z`, fillTo: true, ...(where.length && { where }) });
    const model = modelForecaster(series);
    const status = budgetStatus({ name: b.name, amount: dec(b.amount), currency: b.currency, thresholds: b.thresholds }, period, spent, candidates, model.forecaster);
    out.push({ ...status, forecastMethod: model.method(), scope: b.scope, notes: ownNotes });
  }
  return { statuses: out, invalid };
}

/** A budget that cannot be measured, as JSON: what it is and why (the API's and the CLI's). */
export function invalidBudgetToJson(b: InvalidBudget) {
  return { name: b.name, scope: scopeText(b.scope), currency: b.currency, amount: b.amount.toFixed(), problem: { title: b.problem.message, ...(b.problem.hint && { hint: b.problem.hint }) } };
}

/** The error a command ends with when some budgets could not be measured (the others are shown). */
export function invalidBudgetsError(invalid: { name: string; problem: { message: string; hint?: string | undefined } }[]): InvalidInput {
  if (invalid.length === 1) return new InvalidInput(invalid[0]!.problem.message, [{ path: 'budget', message: 'cannot be measured', found: invalid[0]!.name }], invalid[0]!.problem.hint);
  return new InvalidInput(
    `${invalid.length} budgets cannot be measured: ${invalid.map((b) => b.problem.message).join('; ')}`,
    invalid.map((b) => ({ path: 'budget', message: b.problem.message, found: b.name })),
    invalid.map((b) => b.problem.hint).filter(Boolean).join(' '),
  );
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
    actions: s.actions.map((a) => ({ id: a.id, title: a.title, saving: a.saving.toDecimalPlaces(12).toFixed(), effort: a.effort, basis: a.basis, closesCumulative: a.closesCumulative.toDecimalPlaces(4, Decimal.ROUND_DOWN).toNumber(), ...(a.alternatives && { alternatives: a.alternatives.map((x) => ({ id: x.id, title: x.title, saving: x.saving.toDecimalPlaces(12).toFixed() })) }) })),
    closesGap: s.closesGap,
    notes: s.notes ?? [],
  };
}
