/**
 * CSV reading shared by every importer: streaming (files of any size), gzip by magic bytes,
 * BOM and CRLF handled, headers trimmed, each record with its 1-based file line so errors can say
 * where. Values stay strings: each importer validates and converts its own columns.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { InvalidInput } from '../../core/errors.js';

export interface CsvRecord {
  /** 1-based line of the record's first line in the file (the header is line 1). */
  line: number;
  values: Record<string, string>;
}

export interface CsvOptions {
  delimiter?: string;
  /** Called with bytes read so far and the file's size, for progress bars. */
  onBytes?: (read: number, total: number) => void;
  /** Headers given by the caller for files without a header line. */
  columns?: string[];
}

export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    await fh.read(buf, 0, 2, 0);
    return buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Stream records; `header` is the list of column names as found (trimmed). */
export async function* readCsv(path: string, opts: CsvOptions = {}): AsyncGenerator<CsvRecord & { header: string[] }> {
  const { size } = await import('node:fs/promises').then((fs) => fs.stat(path));
  // Sniff gzip before the stream exists: a 'data' listener starts the flow, and bytes that flow
  // while an await is pending are lost (small files came back empty).
  const gzip = await isGzip(path);
  const raw = createReadStream(path);
  let read = 0;
  raw.on('data', (chunk) => {
    read += chunk.length;
    opts.onBytes?.(read, size);
  });
  let header: string[] | undefined = opts.columns;
  const csv = parse({
    bom: true,
    delimiter: opts.delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    columns: false,
  });
  // pipeline, not pipe: an error in any stage (a truncated gzip, an unreadable file) must reach
  // the loop below as a rejection; with pipe() it is an unhandled 'error' event and the process
  // dies. The callback is where early exits (readCsvHeader stops after one record) end up.
  const parser: Readable = gzip ? pipeline(raw, createGunzip(), csv, () => {}) : pipeline(raw, csv, () => {});
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const cells = rec.record;
      if (!header) {
        header = cells.map((h) => h.trim());
        continue;
      }
      const values: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) values[header[i]!] = cells[i] ?? '';
      // info.lines is where the record ends; a quoted cell may span lines, so step back over them.
      let inner = 0;
      for (const c of cells) for (let k = c.indexOf('\n'); k >= 0; k = c.indexOf('\n', k + 1)) inner++;
      yield { line: rec.info.lines - inner, values, header };
    }
  } catch (e) {
    const err = e as Error & { lines?: number; code?: string };
    throw new InvalidInput(`${path}: not a readable CSV file: ${err.message}`, [{ path: '', file: path, ...(err.lines !== undefined && { line: err.lines }), message: err.message }], 'Check the file is CSV (comma-separated, quoted fields closed).');
  }
}

/** Read the header line only. */
export async function readCsvHeader(path: string, opts: CsvOptions = {}): Promise<string[]> {
  for await (const rec of readCsv(path, opts)) return rec.header;
  // A file with only a header yields no record: parse the first line directly.
  const it = createReadStream(path, { end: 64 * 1024 });
  let text = '';
  for await (const chunk of it) text += chunk;
  return (text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '').split(opts.delimiter ?? ',').map((h) => h.trim().replace(/^"|"$/g, ''));
}
