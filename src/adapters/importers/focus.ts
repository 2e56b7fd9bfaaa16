/**
 * FOCUS cost-and-usage exports (1.0–1.2): CSV (plain or gzip) and Parquet → validated FocusRows.
 * Every problem names the file, the line and the column; nothing is written until all rows parse.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { CellError, REQUIRED_COLUMNS, canonicalRow, parseFocusRow, type FocusRow } from '../../core/billing/focus.js';
import { InvalidInput, type Issue } from '../../core/errors.js';
import { readCsv, readCsvHeader, sniffText } from './csv.js';

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
  const rows: Record<string, string>[] = [];
  let header: string[] = [];
  for await (const batch of parquetBatches(path, limit)) {
    header = batch.header;
    rows.push(...batch.rows);
  }
  return { header, rows };
}

/** A Parquet file's rows as text, in DuckDB's chunks (about 2,048 rows): never the whole file in memory. */
async function* parquetBatches(path: string, limit?: number): AsyncGenerator<{ header: string[]; rows: Record<string, string>[] }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    let names: string[];
    try {
      names = (await conn.runAndReadAll(`SELECT * FROM read_parquet($1) LIMIT 0`, [path])).columnNames();
    } catch (e) {
      throw new InvalidInput(`${path}: not a readable Parquet file: ${(e as Error).message}`, [{ path: '', file: path, message: 'unreadable Parquet' }], 'Export the file again, or give the CSV export.');
    }
    const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
    const result = await conn.stream(`SELECT ${names.map((n) => `CAST(${q(n)} AS VARCHAR) AS ${q(n)}`).join(', ')} FROM read_parquet($1) ${limit !== undefined ? `LIMIT ${limit}` : ''}`, [path]);
    if (limit === 0) yield { header: names, rows: [] };
    const chunks = result.yieldRowObjectJs()[Symbol.asyncIterator]();
    for (;;) {
      let next;
      try {
        next = await chunks.next();
      } catch (e) {
        // A Parquet file cut short fails here, mid-read: bad input, not a crash.
        throw new InvalidInput(`${path}: not a readable Parquet file: ${(e as Error).message}`, [{ path: '', file: path, message: 'unreadable Parquet' }], 'The file looks truncated or damaged: export it again.');
      }
      if (next.done) break;
      yield { header: names, rows: next.value.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? '' : String(v)]))) };
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** An export being read: its header (checked), then its rows batch by batch. */
export interface FocusReader {
  header: string[];
  format: 'csv' | 'parquet';
  /**
   * The rows in batches, parsed and checked. After the last batch, if any cell was bad, it throws
   * InvalidInput naming every bad cell (up to 20) by file, line and column: a caller writing the
   * batches inside a transaction rolls them all back.
   */
  batches(onBytes?: (read: number, total: number) => void): AsyncGenerator<FocusRow[]>;
  /** Cells read leniently so far (formatted money, out-of-range times), with their lines. */
  notes: string[];
  /** SHA-256 over the normalised rows (canonicalRow), once every batch has been read. */
  contentHash(): string;
}

/** Rows per batch: enough for the appender to be efficient, few enough to keep memory flat. */
const BATCH_ROWS = 10_000;

export interface ParsedFocus {
  header: string[];
  rows: FocusRow[];
  format: 'csv' | 'parquet';
  /** Cells read leniently (formatted money, out-of-range times), with their lines. */
  notes: string[];
}

const MAX_ISSUES = 20;

/** Open an export: read and check its header now (missing mandatory columns are named at once). */
export async function openFocus(path: string): Promise<FocusReader> {
  await sniffText(path, 'a FOCUS export (CSV, gzip-compressed CSV or Parquet)');
  const parquet = await isParquet(path);
  const header = parquet ? (await parquetRows(path, 0)).header : await readCsvHeader(path);
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) {
    throw new InvalidInput(
      `${path}: not a FOCUS export: missing mandatory column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      missing.map((c) => ({ path: c, file: path, line: 1, message: 'mandatory column is missing' })),
      'Export the cost and usage data in FOCUS format (1.0 to 1.2), with its mandatory columns.',
    );
  }
  const notes: string[] = [];
  const content = createHash('sha256');
  let hashed: string | undefined;
  async function* batches(onBytes?: (read: number, total: number) => void): AsyncGenerator<FocusRow[]> {
    const issues: Issue[] = [];
    let batch: FocusRow[] = [];
    const take = (values: Record<string, string>, line: number) => {
      try {
        const cellNotes: string[] = [];
        const row = parseFocusRow(values, line, cellNotes);
        // After a bad cell nothing more is kept: the ingest will fail; the rest is only checked.
        if (issues.length === 0) {
          batch.push(row);
          content.update(canonicalRow(row));
          content.update('\n');
        }
        for (const n of cellNotes) notes.push(`line ${line}: ${n}`);
      } catch (e) {
        if (!(e instanceof CellError)) throw e;
        issues.push({ path: e.column, file: path, line, message: e.message.slice(e.column.length + 2), found: e.found, expected: e.expected });
      }
    };
    if (parquet) {
      let line = 0;
      for await (const chunk of parquetBatches(path)) {
        for (const r of chunk.rows) if (issues.length < MAX_ISSUES) take(r, ++line);
        if (issues.length >= MAX_ISSUES) break;
        if (batch.length >= BATCH_ROWS && issues.length === 0) {
          yield batch;
          batch = [];
        }
      }
    } else {
      for await (const rec of readCsv(path, { ...(onBytes && { onBytes }) })) {
        // Blank lines between records (some exports have them) carry no values.
        if (Object.values(rec.values).every((v) => v.trim() === '')) continue;
        // A row cut short (a truncated download) would otherwise be stored with empty cells.
        if (rec.fields < header.length) {
          const missingFrom = header[rec.fields]!;
          issues.push({ path: missingFrom, file: path, line: rec.line, message: `the row has ${rec.fields} of the header's ${header.length} fields: cut short from column ${missingFrom} on (a truncated file?)`, expected: `${header.length} fields`, found: `${rec.fields}` });
          if (issues.length >= MAX_ISSUES) break;
          continue;
        }
        take(rec.values, rec.line);
        if (issues.length >= MAX_ISSUES) break;
        if (batch.length >= BATCH_ROWS && issues.length === 0) {
          yield batch;
          batch = [];
        }
      }
    }
    if (issues.length) {
      throw new InvalidInput(`${path}: ${issues.length >= MAX_ISSUES ? `${MAX_ISSUES} or more` : issues.length} bad cell${issues.length > 1 ? 's' : ''}; nothing was ingested`, issues, 'Fix the cells named above (or export the file again) and re-run the ingest.');
    }
    if (batch.length) yield batch;
    hashed = content.digest('hex');
  }
  const contentHash = () => {
    if (hashed === undefined) throw new Error('contentHash() before every batch was read');
    return hashed;
  };
  return { header, format: parquet ? 'parquet' : 'csv', batches, notes, contentHash };
}

/** An export as the ingest use case reads it: its hash (the idempotence key) and a reader. */
export async function focusSource(path: string): Promise<{ sha256: string; open: () => Promise<FocusReader> }> {
  // Before hashing: a 2 GB binary file is refused from its first bytes, not after reading it all.
  await sniffText(path, 'a FOCUS export (CSV, gzip-compressed CSV or Parquet)');
  return { sha256: await fileSha256(path), open: () => openFocus(path) };
}

/** Parse a whole export into memory (for tests and small files; ingest streams with openFocus). */
export async function readFocus(path: string, onBytes?: (read: number, total: number) => void): Promise<ParsedFocus> {
  const reader = await openFocus(path);
  const rows: FocusRow[] = [];
  for await (const b of reader.batches(onBytes)) rows.push(...b);
  return { header: reader.header, rows, format: reader.format, notes: reader.notes };
}
