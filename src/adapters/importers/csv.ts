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
  /** Cells in the record as written: fewer than the header's on a row cut short. */
  fields: number;
}

/** A record larger than this is not CSV (a binary or NUL-filled file read as one endless cell). */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/**
 * The first bytes of a file as text (gunzipped when it is gzip), checked before any parser sees
 * it: NUL bytes or invalid UTF-8 mean binary data, refused at once rather than after parsing
 * gigabytes. Parquet is recognised by its magic bytes and left to its reader.
 */
export async function sniffText(path: string, what = 'a CSV file'): Promise<void> {
  const fh = await open(path, 'r');
  let head: Buffer;
  let size: number;
  try {
    size = (await fh.stat()).size;
    head = Buffer.alloc(Math.min(64 * 1024, size));
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  if (size === 0) throw new InvalidInput(`${path}: the file is empty`, [{ path: '', file: path, line: 1, message: 'empty file' }], `Give ${what}.`);
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return;
  let text = head;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const { createGunzip: gunzip } = await import('node:zlib');
    text = await new Promise<Buffer>((resolvePromise) => {
      const chunks: Buffer[] = [];
      let got = 0;
      const z = gunzip();
      const done = () => resolvePromise(Buffer.concat(chunks).subarray(0, 64 * 1024));
      z.on('data', (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        if (got >= 64 * 1024) {
          z.removeAllListeners('data');
          z.destroy();
          done();
        }
      });
      // A cut or corrupt stream is reported by the full read, with its line; the head is enough here.
      z.on('error', done);
      z.on('end', done);
      z.end(head);
    });
  }
  const binary = text.includes(0) || !validUtf8(text.subarray(0, Math.max(0, text.length - 4)));
  if (binary) throw new InvalidInput(`${path}: binary data, not ${what} (NUL bytes or invalid UTF-8 in its first ${Math.min(text.length, 64 * 1024)} bytes)`, [{ path: '', file: path, line: 1, message: 'binary data' }], `Give ${what} (plain, gzip-compressed, or Parquet).`);
}

function validUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

export interface CsvOptions {
  delimiter?: string;
  /** Called with bytes read so far and the file's size, for progress bars. */
  onBytes?: (read: number, total: number) => void;
  /** Headers given by the caller for files without a header line. */
  columns?: string[];
  /**
   * Called once the whole text was read: whether it ends with a line break. A file cut in transfer
   * mostly does not (a CSV has no checksum); some complete exports do not either.
   */
  onEnd?: (info: { endsWithLineBreak: boolean }) => void;
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
  const parser = parse({
    bom: true,
    delimiter: opts.delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    columns: false,
    max_record_size: MAX_RECORD_BYTES,
  });
  // pipe() does not forward errors: a cut gzip stream was an unhandled 'error' event that ended
  // the process (the CLI with a stack trace, the server with it). Each one now fails the parse.
  let streamError: { kind: 'read' | 'gzip'; error: Error } | undefined;
  const fail = (kind: 'read' | 'gzip') => (e: Error) => {
    streamError ??= { kind, error: e };
    parser.destroy(e);
  };
  raw.on('error', fail('read'));
  // The last byte of the text (after gunzip): does the file end with a line break?
  let lastByte = -1;
  const track = (chunk: Buffer | string) => {
    if (chunk.length) lastByte = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1]!;
  };
  if (gzip) {
    const gunzip = createGunzip();
    gunzip.on('error', fail('gzip'));
    if (opts.onEnd) gunzip.on('data', track);
    raw.pipe(gunzip).pipe(parser);
  } else {
    if (opts.onEnd) raw.on('data', track);
    raw.pipe(parser);
  }
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
      yield { line: rec.info.lines - inner, values, header, fields: cells.length };
    }
    opts.onEnd?.({ endsWithLineBreak: lastByte === 0x0a || lastByte === 0x0d });
  } catch (e) {
    if (streamError?.kind === 'gzip') {
      throw new InvalidInput(`${path}: the gzip stream is cut short or corrupt (${streamError.error.message})`, [{ path: '', file: path, message: `gzip: ${streamError.error.message}` }], 'The file looks truncated: download or export it again.');
    }
    if (streamError) throw streamError.error;
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
