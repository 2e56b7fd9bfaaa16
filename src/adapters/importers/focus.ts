/**
 * FOCUS cost-and-usage exports (1.0–1.2): CSV (plain or gzip) and Parquet → validated FocusRows.
 * Every problem names the file, the line and the column; nothing is written until all rows parse.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { duckdbApi } from '../store/duckdb-api.js';
import { CellError, REQUIRED_COLUMNS, canonicalRow, focusRowParser, parseFocusRow, type FocusRow } from '../../core/billing/focus.js';
import { exportMapper, type ExportMapper } from '../../core/billing/exports.js';
import { InvalidInput, type Issue } from '../../core/errors.js';
import { readCsvHeader, readCsvRows, sniffText } from './csv.js';
import { looksLikeJsonLines, readJsonLines, readJsonLinesHeader } from './json-lines.js';

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

/** The columns a file offers once read as FOCUS (a CUR, Azure or GCP export: its FOCUS columns). */
export async function focusHeader(path: string): Promise<string[]> {
  const raw = await sourceHeader(path);
  return exportMapper(raw.header)?.header ?? raw.header;
}

type SourceFormat = 'csv' | 'parquet' | 'jsonl';

async function sourceHeader(path: string): Promise<{ header: string[]; format: SourceFormat }> {
  if (await isParquet(path)) return { header: (await parquetRows(path, 0)).header, format: 'parquet' };
  if (await looksLikeJsonLines(path)) return { header: await readJsonLinesHeader(path), format: 'jsonl' };
  return { header: await readCsvHeader(path), format: 'csv' };
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
  const db = await duckdbApi.DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    let names: string[];
    try {
      names = (await conn.runAndReadAll(`SELECT * FROM read_parquet($1) LIMIT 0`, [path])).columnNames();
    } catch (e) {
      throw new InvalidInput(`${path}: not a readable Parquet file: ${(e as Error).message}`, [{ path: '', file: path, message: 'unreadable Parquet' }], 'Export the file again, or give the CSV export.');
    }
    const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
    // Nested columns (a FOCUS Tags MAP, CUR 2.0's resource_tags and product maps) as JSON text:
    // a plain cast would give DuckDB's own `{k=v}` form, which no reader of tags understands.
    const types = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet($1)`, [path])).getRowObjectsJS() as { column_name: string; column_type: string }[];
    const nested = new Set(types.filter((t) => /^(MAP|STRUCT)\(|\[\]$/.test(t.column_type)).map((t) => t.column_name));
    const cell = (n: string) => (nested.has(n) ? `CAST(to_json(${q(n)}) AS VARCHAR) AS ${q(n)}` : `CAST(${q(n)} AS VARCHAR) AS ${q(n)}`);
    const result = await conn.stream(`SELECT ${names.map(cell).join(', ')} FROM read_parquet($1) ${limit !== undefined ? `LIMIT ${limit}` : ''}`, [path]);
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

/** A record whose every cell (of the header's) is blank (a line of commas); most rows stop at their first cell. */
function blankCells(cells: readonly string[], columns: number): boolean {
  for (let i = 0; i < columns; i++) if ((cells[i] ?? '').trim() !== '') return false;
  return true;
}

/** An export being read: its header (checked), then its rows batch by batch. */
export interface FocusReader {
  header: string[];
  format: SourceFormat;
  /** Set when the file is a provider's own export (CUR, Azure, GCP) read through a FOCUS mapping. */
  mapping?: ExportMapper['kind'];
  /**
   * The rows in batches, parsed and checked. After the last batch, if any cell was bad, it throws
   * InvalidInput naming every bad cell (up to 20) by file, line and column: a caller writing the
   * batches inside a transaction rolls them all back.
   */
  batches(onBytes?: (read: number, total: number) => void): AsyncGenerator<FocusRow[]>;
  /** Cells read leniently so far (formatted money, out-of-range times), with their lines. */
  notes: string[];
  /** What the reader could not check and the user should (a file that may be cut), once read. */
  warnings: string[];
  /** SHA-256 over the normalised rows (canonicalRow), once every batch has been read. */
  contentHash(): string;
  /** Release what the reader holds (its thread) when it is not read to the end. */
  close?(): void;
}

/**
 * Rows per batch: two of the ingest's 512-row writes. Larger batches outlive the young
 * generation's collections (a 10,000-row batch cost about 10% more CPU in garbage collection and
 * 20-40 MiB more peak memory).
 */
const BATCH_ROWS = 1_024;

export interface ParsedFocus {
  header: string[];
  rows: FocusRow[];
  format: SourceFormat;
  /** Cells read leniently (formatted money, out-of-range times), with their lines. */
  notes: string[];
}

const MAX_ISSUES = 20;

/** Open an export: read and check its header now (missing mandatory columns are named at once). */
export async function openFocus(path: string): Promise<FocusReader> {
  await sniffText(path, 'a cost export (FOCUS, AWS CUR, Azure or Google Cloud: CSV, gzip-compressed CSV, Parquet or JSON lines)');
  const source = await sourceHeader(path);
  const parquet = source.format === 'parquet';
  const mapper = exportMapper(source.header);
  const header = mapper?.header ?? source.header;
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) {
    throw new InvalidInput(
      `${path}: not a FOCUS export: missing mandatory column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      missing.map((c) => ({ path: c, file: path, line: 1, message: 'mandatory column is missing' })),
      'Export the cost and usage data in FOCUS format (1.0 to 1.2), with its mandatory columns, or give an AWS CUR, Azure Cost Management or Google Cloud BigQuery billing export as it is.',
    );
  }
  // Two FOCUS columns of one name: which one's values count would be a guess (the last one did).
  // (A provider's export is read through its mapping, which names the columns it takes.)
  const seen = new Set<string>();
  const twice = mapper ? [] : [...new Set(source.header.filter((c) => seen.size === seen.add(c).size))];
  if (twice.length) {
    throw new InvalidInput(
      `${path}: the header names ${twice.length > 1 ? 'columns' : 'column'} ${twice.join(', ')} more than once`,
      twice.map((c) => ({ path: c, file: path, line: 1, message: 'column named more than once', found: `${source.header.filter((x) => x === c).length} times` })),
      'Export the file again, or remove or rename the duplicate column so each name says which values count.',
    );
  }
  const notes: string[] = [];
  const warnings: string[] = [];
  const content = createHash('sha256');
  let hashed: string | undefined;
  async function* batches(onBytes?: (read: number, total: number) => void): AsyncGenerator<FocusRow[]> {
    const issues: Issue[] = [];
    let batch: FocusRow[] = [];
    const keep = (row: FocusRow, cellNotes: string[], line: number) => {
      // After a bad cell nothing more is kept: the ingest will fail; the rest is only checked.
      if (issues.length === 0) {
        batch.push(row);
        content.update(canonicalRow(row));
        content.update('\n');
      }
      for (const n of cellNotes) notes.push(`line ${line}: ${n}`);
    };
    const refuse = (e: unknown, line: number) => {
      if (!(e instanceof CellError)) throw e;
      issues.push({ path: e.column, file: path, line, message: e.message.slice(e.column.length + 2), found: e.found, expected: e.expected });
    };
    const take = (values: Record<string, string>, line: number) => {
      try {
        const cellNotes: string[] = [];
        keep(parseFocusRow(mapper ? mapper.map(values) : values, line, cellNotes), cellNotes, line);
      } catch (e) {
        refuse(e, line);
      }
    };
    if (source.format === 'jsonl') {
      for await (const rec of readJsonLines(path)) {
        take(rec.values, rec.line);
        if (issues.length >= MAX_ISSUES) break;
        if (batch.length >= BATCH_ROWS && issues.length === 0) {
          yield batch;
          batch = [];
        }
      }
    } else if (parquet) {
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
      let last: { line: number; column: string; value: string } | undefined;
      let unterminated = false;
      // A plain FOCUS file's rows go straight from cells to FocusRows (one parser for its header).
      const own = source.header;
      const parseCells = mapper ? undefined : focusRowParser(own);
      const cellNotes: string[] = [];
      for await (const rec of readCsvRows(path, { ...(onBytes && { onBytes }), onEnd: (e) => (unterminated = !e.endsWithLineBreak) })) {
        const cells = rec.cells;
        // Blank lines between records (some exports have them) carry no values.
        if (blankCells(cells, own.length)) continue;
        // A row cut short (a truncated download) would otherwise be stored with empty cells.
        // Against the file's own header (a CUR, Azure or GCP export has its own columns).
        if (cells.length < own.length) {
          const missingFrom = own[cells.length]!;
          issues.push({ path: missingFrom, file: path, line: rec.line, message: `the row has ${cells.length} of the header's ${own.length} fields: cut short from column ${missingFrom} on (a truncated file?)`, expected: `${own.length} fields`, found: `${cells.length}` });
          if (issues.length >= MAX_ISSUES) break;
          continue;
        }
        // A value past the header's last column: a row shifted by an unquoted comma (its cells
        // would be read under the wrong columns) or a value that would be dropped. Empty extra
        // cells (a trailing comma) carry nothing and are let through.
        if (cells.length > own.length && cells.slice(own.length).some((c) => c.trim() !== '')) {
          const lastColumn = own[own.length - 1]!;
          issues.push({ path: lastColumn, file: path, line: rec.line, message: `the row has ${cells.length} fields, the header ${own.length}: values past the last column ${lastColumn} (an unquoted comma in a value?)`, expected: `${own.length} fields`, found: `${cells.length}` });
          if (issues.length >= MAX_ISSUES) break;
          continue;
        }
        if (parseCells) {
          try {
            cellNotes.length = 0;
            keep(parseCells(cells, rec.line, cellNotes), cellNotes, rec.line);
          } catch (e) {
            refuse(e, rec.line);
          }
        } else {
          const values: Record<string, string> = {};
          for (let i = 0; i < own.length; i++) values[own[i]!] = cells[i] ?? '';
          take(values, rec.line);
        }
        last = { line: rec.line, column: own[own.length - 1]!, value: cells[own.length - 1] ?? '' };
        if (issues.length >= MAX_ISSUES) break;
        if (batch.length >= BATCH_ROWS && issues.length === 0) {
          yield batch;
          batch = [];
        }
      }
      // A file cut inside its last cell reads as a complete one (a CSV carries no checksum, and
      // some complete exports, the FOCUS specification's own examples among them, end without a
      // line break): it cannot be refused, but it is said.
      if (unterminated && last) warnings.push(`line ${last.line}: the file ends without a line break after it; if the file was cut in transfer, its last value (${last.column} = "${last.value.length > 40 ? `${last.value.slice(0, 40)}…` : last.value}") may be cut short: compare the file's size or total with the provider's`);
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
  return { header, format: source.format, ...(mapper && { mapping: mapper.kind }), batches, notes, warnings, contentHash };
}

/** Parse a whole export into memory (for tests and small files; ingest streams with openFocus). */
export async function readFocus(path: string, onBytes?: (read: number, total: number) => void): Promise<ParsedFocus> {
  const reader = await openFocus(path);
  const rows: FocusRow[] = [];
  for await (const b of reader.batches(onBytes)) rows.push(...b);
  return { header: reader.header, rows, format: reader.format, notes: reader.notes };
}
