/**
 * FOCUS cost-and-usage exports (1.0–1.2): CSV (plain or gzip) and Parquet → validated FocusRows.
 * Every problem names the file, the line and the column; nothing is written until all rows parse.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { CellError, REQUIRED_COLUMNS, parseFocusRow, type FocusRow } from '../../core/billing/focus.js';
import { InvalidInput, type Issue } from '../../core/errors.js';
import { readCsv, readCsvHeader } from './csv.js';

export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function isParquet(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, 0);
    return b.toString('latin1') === 'PAR1';
  } finally {
    await fh.close();
  }
}

/** Is this header a FOCUS export's? */
export function looksLikeFocus(header: string[]): boolean {
  return header.includes('BilledCost') && header.includes('ChargePeriodStart');
}

export async function focusHeader(path: string): Promise<string[]> {
  if (await isParquet(path)) {
    const rows = await parquetRows(path, 0);
    return rows.header;
  }
  return readCsvHeader(path);
}

async function parquetRows(path: string, limit?: number): Promise<{ header: string[]; rows: Record<string, string>[] }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet($1) ${limit !== undefined ? `LIMIT ${limit}` : ''}`, [path]);
    const header = reader.columnNames();
    const cols = header.map((name) => `CAST("${name.replace(/"/g, '""')}" AS VARCHAR) AS "${name.replace(/"/g, '""')}"`);
    const text = await conn.runAndReadAll(`SELECT ${cols.join(', ')} FROM read_parquet($1) ${limit !== undefined ? `LIMIT ${limit}` : ''}`, [path]);
    const rows = text.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? '' : String(v)])));
    return { header, rows };
  } catch (e) {
    throw new InvalidInput(`${path}: not a readable Parquet file: ${(e as Error).message}`, [{ path: '', file: path, message: 'unreadable Parquet' }], 'Export the file again, or give the CSV export.');
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

export interface ParsedFocus {
  header: string[];
  rows: FocusRow[];
  format: 'csv' | 'parquet';
  /** Cells read leniently (formatted money, out-of-range times), with their lines. */
  notes: string[];
}

const MAX_ISSUES = 20;

/** Parse a whole export; every bad cell is an Issue (up to 20, then it stops). */
export async function readFocus(path: string, onBytes?: (read: number, total: number) => void): Promise<ParsedFocus> {
  const parquet = await isParquet(path);
  const issues: Issue[] = [];
  const rows: FocusRow[] = [];
  let header: string[] = [];
  const notes: string[] = [];
  const take = (values: Record<string, string>, line: number) => {
    try {
      const cellNotes: string[] = [];
      rows.push(parseFocusRow(values, line, cellNotes));
      for (const n of cellNotes) notes.push(`line ${line}: ${n}`);
    } catch (e) {
      if (!(e instanceof CellError)) throw e;
      issues.push({ path: e.column, file: path, line, message: e.message.slice(e.column.length + 2), found: e.found, expected: e.expected });
    }
  };
  const checkHeader = (h: string[]) => {
    const missing = REQUIRED_COLUMNS.filter((c) => !h.includes(c));
    if (missing.length) {
      throw new InvalidInput(
        `${path}: not a FOCUS export: missing mandatory column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        missing.map((c) => ({ path: c, file: path, line: 1, message: 'mandatory column is missing' })),
        'Export the cost and usage data in FOCUS format (1.0 to 1.2), with its mandatory columns.',
      );
    }
  };
  if (parquet) {
    const p = await parquetRows(path);
    header = p.header;
    checkHeader(header);
    p.rows.forEach((r, i) => issues.length < MAX_ISSUES && take(r, i + 1));
  } else {
    header = await readCsvHeader(path);
    checkHeader(header);
    for await (const rec of readCsv(path, { ...(onBytes && { onBytes }) })) {
      // Blank lines between records (some exports have them) carry no values.
      if (Object.values(rec.values).every((v) => v.trim() === '')) continue;
      take(rec.values, rec.line);
      if (issues.length >= MAX_ISSUES) break;
    }
  }
  if (issues.length) {
    throw new InvalidInput(`${path}: ${issues.length >= MAX_ISSUES ? `${MAX_ISSUES} or more` : issues.length} bad cell${issues.length > 1 ? 's' : ''}; nothing was ingested`, issues, 'Fix the cells named above (or export the file again) and re-run the ingest.');
  }
  return { header, rows, format: parquet ? 'parquet' : 'csv', notes };
}
