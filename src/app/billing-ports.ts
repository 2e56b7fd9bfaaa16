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
  getBillingFile(id: string): Promise<BillingFileRecord | undefined>;
  listBillingFiles(): Promise<BillingFileRecord[]>;
  /** Append a batch of a file's rows (a row without BillingCurrency keeps it empty until the file is recorded); call inside a transaction. */
  insertBillingRows(fileId: string, rows: FocusRow[]): Promise<void>;
  /** Record a file once its rows are in: rows of it without a currency take the file's. Same transaction as the rows. */
  insertBillingFile(file: BillingFileRecord): Promise<void>;
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
