/** What billing use cases need from the store (FOCUS rows, budgets). One driver: SqlBillingStore. */
import type { FocusRow } from '../core/billing/focus.js';

export interface BillingFileRecord {
  id: string;
  path: string;
  rows: number;
  currency: string;
  periodStart: string | null;
  periodEnd: string | null;
  billedTotal: string;
  effectiveTotal: string;
  columns: string[];
  ingestedAt: string;
  /** SHA-256 of the file's bytes: the same bytes again are known before parsing. */
  sha256: string;
  /** SHA-256 over the parsed, normalised rows: the same rows in another encoding (gzip, BOM, CRLF, Parquet). */
  contentHash: string | null;
  /**
   * The delivery the file is a part of: the parts of one export run add up and never restate one
   * another (docs/billing.md). A file ingested on its own is its own delivery (its id).
   */
  deliveryId: string;
}

/** One currency's share of a slice (billing account × billing period) of a file. */
export interface BillingSlice {
  /** `BillingAccountId|BillingPeriodStart` (the month of ChargePeriodStart without a billing period). */
  sliceKey: string;
  billingAccountId: string | null;
  billingPeriodStart: string | null;
  currency: string;
  /** The charge periods the file covers in this slice: min ChargePeriodStart, max ChargePeriodEnd. */
  coverageStart: string;
  coverageEnd: string;
  rows: number;
  billed: string;
  effective: string;
}

/** A file as listed: its record, the totals per currency, and how many of its rows count now. */
export interface BillingFileSummary extends BillingFileRecord {
  totals: { currency: string; rows: number; billed: string; effective: string }[];
  /** Rows in slices no other file restates; the rest are replaced by a fuller or later export. */
  countedRows: number;
  /** Ids of the files whose restatement replaces this one's slices (empty when all of it counts). */
  replacedBy: string[];
}

/** The counted (active) rows of some slices, per file and currency: what a restatement replaces. */
export interface LiveSlice {
  fileId: string;
  sliceKey: string;
  currency: string;
  rows: number;
  effective: string;
}

/** A grouping dimension: a FOCUS column (typed or kept as text) or a tag key. */
export type Dimension = { kind: 'column'; name: string } | { kind: 'tag'; key: string };

export interface ReportQuery {
  by: Dimension[];
  from?: string;
  to?: string;
  granularity?: 'day' | 'month';
  /** Keep the `top` groups by effective cost; fold the rest into "(other)". */
  top?: number;
  /** Only rows matching every filter (the same dimensions). */
  where?: { dim: Dimension; value: string }[];
}

export interface ReportRow {
  keys: (string | null)[];
  period?: string;
  currency: string;
  billed: string;
  effective: string;
  list: string | null;
  rows: number;
}

export interface CommitmentRow {
  commitmentId: string;
  used: string;
  unused: string;
  currency: string;
}

export interface WindowSpend {
  currency: string;
  effective: string;
  /** Rows that overlap the window (counted whole or in part). */
  rows: number;
}

export interface BudgetRecord {
  name: string;
  amount: string;
  currency: string;
  period: 'month';
  scope: { kind: 'all' } | { kind: 'dimension'; dim: Dimension; value: string };
  thresholds: number[];
  createdAt: string;
}

export interface BillingStore {
  /** Run writes as one transaction, every one of them through `tx`; an error rolls all back. */
  transaction<T>(fn: (tx: BillingStore) => Promise<T>): Promise<T>;
  getBillingFile(id: string): Promise<BillingFileRecord | undefined>;
  /** A recorded file with these bytes (sha256) or these normalised rows (content hash). */
  findBillingFile(by: { sha256?: string; contentHash?: string }): Promise<BillingFileRecord | undefined>;
  listBillingFiles(): Promise<BillingFileSummary[]>;
  /** Delete rows no recorded file owns (left by a process killed mid-ingest); returns how many. */
  sweepOrphanRows(): Promise<number>;
  /**
   * Inside a transaction: wait until no other transaction is deciding which rows count (recording
   * or removing a file), then hold that turn to the end of this one. Called before the checks that
   * decide it (same content, restatements), so they see every write committed before.
   */
  lockCounting(): Promise<void>;
  /** Append a batch of a file's rows (a row without BillingCurrency keeps it empty until the file is recorded); call inside a transaction. */
  insertBillingRows(fileId: string, rows: FocusRow[]): Promise<void>;
  /**
   * Record a file once its rows are in, with its slices: rows of it without a currency take the
   * file's, and which slices count is recomputed. Same transaction as the rows.
   */
  insertBillingFile(file: BillingFileRecord, slices: BillingSlice[], fillCurrency: boolean): Promise<void>;
  /** The slice keys a file has rows in. */
  sliceKeysOf(fileId: string): Promise<string[]>;
  /** The counted slices among these keys. */
  liveSlices(sliceKeys: string[]): Promise<LiveSlice[]>;
  /** Take a file out (rows, slices, record) and recompute which slices count; false if unknown. */
  removeBillingFile(id: string): Promise<boolean>;
  billingReport(q: ReportQuery): Promise<ReportRow[]>;
  /** Every tag key found in the stored rows, sorted. */
  tagKeys(): Promise<string[]>;
  commitmentUtilisation(q: { from?: string; to?: string; where?: ReportQuery['where'] }): Promise<CommitmentRow[]>;
  /**
   * Effective cost per currency of the charges overlapping [from, to): a charge inside counts whole,
   * one spanning an edge pro rata to the overlap of its charge period (exact decimals).
   */
  spendInWindow(q: { from: string; to: string; where?: ReportQuery['where'] }): Promise<WindowSpend[]>;
  /** Latest charge end in the data (the "now" of an export). */
  lastChargeEnd(): Promise<string | undefined>;
  saveBudget(b: BudgetRecord): Promise<void>;
  listBudgets(): Promise<BudgetRecord[]>;
  deleteBudget(name: string): Promise<boolean>;
}
