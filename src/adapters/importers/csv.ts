/**
 * CSV reading shared by every importer: streaming (files of any size), gzip by magic bytes,
 * BOM and CRLF handled, headers trimmed, each record with its 1-based file line so errors can say
 * where. Values stay strings: each importer validates and converts its own columns.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
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
    const st = await fh.stat();
    if (st.isDirectory()) throw new InvalidInput(`${path} is a folder, not a file`, [{ path: '', file: path, message: 'is a folder' }], `Give ${what}.`);
    size = st.size;
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
  for await (const rec of readCsvRows(path, opts)) {
    const values: Record<string, string> = {};
    for (let i = 0; i < rec.header.length; i++) values[rec.header[i]!] = rec.cells[i] ?? '';
    yield { line: rec.line, values, header: rec.header, fields: rec.cells.length };
  }
}

let fallbacks = 0;
/** Reads in this process that the fast tokenizer handed to csv-parse (tests check it reads the common case). */
export const csvFallbacks = () => fallbacks;

/** A record as its cells, in the file's order (fewer than the header's on a row cut short). */
export interface CsvRow {
  /** 1-based line of the record's first line in the file (the header is line 1). */
  line: number;
  cells: string[];
  header: string[];
}

/**
 * Stream records as cell arrays (no object per row: the FOCUS reader maps cells by index). The
 * common case (well-formed quoting, one kind of line break) is read by a tokenizer of its own,
 * several times faster than csv-parse; anything else (a stray or unclosed quote, a lone CR, mixed
 * line breaks, a huge record) is read again from the start by csv-parse, which then gives the
 * records or its own error, so both readings agree on every input.
 */
export async function* readCsvRows(path: string, opts: CsvOptions & { engine?: 'fast' | 'csv-parse' } = {}): AsyncGenerator<CsvRow> {
  let header: string[] | undefined = opts.columns;
  const delimiter = opts.delimiter ?? ',';
  let records = 0;
  if (opts.engine !== 'csv-parse' && delimiter.length === 1 && delimiter !== '"' && delimiter !== '\r' && delimiter !== '\n') {
    const fast = fastRecords(path, delimiter.charCodeAt(0), opts);
    for (;;) {
      const next = await fast.next();
      if (next.done) {
        if (next.value === 'done') return;
        fallbacks++;
        break;
      }
      records++;
      const cells = next.value.cells;
      if (!header) {
        header = cells.map((h) => h.trim());
        continue;
      }
      yield { line: next.value.line, cells, header };
    }
  }
  let skip = records;
  for await (const rec of parsedRecords(path, opts)) {
    if (skip > 0) {
      skip--;
      continue;
    }
    if (!header) {
      header = rec.cells.map((h) => h.trim());
      continue;
    }
    yield { line: rec.line, cells: rec.cells, header };
  }
}

/** The file's text source (gunzipped when gzip), with progress, its last byte, and its errors told apart. */
async function openText(path: string, opts: CsvOptions): Promise<{ stream: Readable; close: () => void; lastByte: () => number; failure: () => { kind: 'read' | 'gzip'; error: Error } | undefined }> {
  const st = await import('node:fs/promises').then((fs) => fs.stat(path));
  // A folder opens, then fails its first read with an EISDIR that names no path (exit 1, no file).
  if (st.isDirectory()) throw new InvalidInput(`${path} is a folder, not a file`, [{ path: '', file: path, message: 'is a folder' }], 'Name a CSV file in it.');
  const size = st.size;
  // Sniff gzip before the stream exists: a 'data' listener starts the flow, and bytes that flow
  // while an await is pending are lost (small files came back empty).
  const gzip = await isGzip(path);
  const raw = createReadStream(path);
  let read = 0;
  raw.on('data', (chunk) => {
    read += chunk.length;
    opts.onBytes?.(read, size);
  });
  // pipe() does not forward errors: a cut gzip stream was an unhandled 'error' event that ended
  // the process (the CLI with a stack trace, the server with it). Each one now fails the read.
  let failure: { kind: 'read' | 'gzip'; error: Error } | undefined;
  // The last byte of the text (after gunzip): does the file end with a line break?
  let lastByte = -1;
  const track = (chunk: Buffer | string) => {
    if (chunk.length) lastByte = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1]!;
  };
  let stream: Readable = raw;
  if (gzip) {
    const gunzip = createGunzip();
    raw.on('error', (e) => {
      failure ??= { kind: 'read', error: e };
      gunzip.destroy(e);
    });
    gunzip.on('error', (e) => (failure ??= { kind: 'gzip', error: e }));
    raw.pipe(gunzip);
    stream = gunzip;
  } else {
    raw.on('error', (e) => (failure ??= { kind: 'read', error: e }));
  }
  if (opts.onEnd) stream.on('data', track);
  // Both streams: a gunzip stopped early must not leave the file being read into it.
  const close = () => {
    stream.destroy();
    raw.destroy();
  };
  return { stream, close, lastByte: () => lastByte, failure: () => failure };
}

function streamFailure(path: string, failure: { kind: 'read' | 'gzip'; error: Error }): Error {
  if (failure.kind === 'gzip') {
    return new InvalidInput(`${path}: the gzip stream is cut short or corrupt (${failure.error.message})`, [{ path: '', file: path, message: `gzip: ${failure.error.message}` }], 'The file looks truncated: download or export it again.');
  }
  return failure.error;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** How the fast tokenizer stands between chunks of text. */
interface ScanState {
  /** Line of the first character not yet consumed. */
  line: number;
  /** The file's line break, from the first one seen: LF or CRLF (0 until seen). */
  eol: 0 | typeof LF | typeof CR;
}

/**
 * The line break at `i` (LF or CR): its length (1 or 2), once it agrees with the file's; 0 when
 * the text ends inside it (read on with the next chunk); -1 when csv-parse must read the file (a
 * lone CR, or a file mixing LF and CRLF).
 */
function lineBreak(text: string, i: number, final: boolean, state: ScanState): number {
  const crlf = text.charCodeAt(i) === CR;
  if (crlf) {
    if (i + 1 >= text.length) return final ? -1 : 0;
    if (text.charCodeAt(i + 1) !== LF) return -1;
  }
  const eol = crlf ? CR : LF;
  if (state.eol === 0) state.eol = eol;
  else if (state.eol !== eol) return -1;
  return crlf ? 2 : 1;
}

/**
 * Complete records of `text` into `out`. Returns how much of the text was consumed (the rest is
 * an incomplete record, read again with the next chunk), or -1 when the text needs csv-parse.
 */
function scanRecords(text: string, final: boolean, delim: number, state: ScanState, out: { line: number; cells: string[] }[]): number {
  const n = text.length;
  let p = 0;
  record: while (p < n) {
    let i = p;
    let line = state.line;
    const c0 = text.charCodeAt(i);
    // An empty line: skipped, as csv-parse's skip_empty_lines does.
    if (c0 === LF || c0 === CR) {
      const len = lineBreak(text, i, final, state);
      if (len <= 0) return len === 0 ? p : -1;
      state.line++;
      p = i + len;
      continue;
    }
    const cells: string[] = [];
    for (;;) {
      if (i >= n) {
        // Only after a delimiter: the record's last cell is empty.
        if (!final) return p;
        cells.push('');
        out.push({ line: state.line, cells });
        state.line = line;
        return n;
      }
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        let j = i + 1;
        let value = '';
        for (;;) {
          const k = text.indexOf('"', j);
          if (k < 0) return final ? -1 : p;
          if (k + 1 >= n) {
            if (!final) return p;
            value += text.slice(j, k);
            i = k + 1;
            break;
          }
          if (text.charCodeAt(k + 1) === QUOTE) {
            value += text.slice(j, k + 1);
            j = k + 2;
            continue;
          }
          value += text.slice(j, k);
          i = k + 1;
          break;
        }
        for (let k = value.indexOf('\n'); k >= 0; k = value.indexOf('\n', k + 1)) line++;
        // Lone CRs in quoted cells count as lines to csv-parse in some files: not guessed here.
        if (value.includes('\r') && (state.eol !== CR || /\r(?!\n)/.test(value))) return -1;
        cells.push(value);
      } else {
        let k = i;
        for (; k < n; k++) {
          const d = text.charCodeAt(k);
          if (d === delim || d === LF || d === CR) break;
          if (d === QUOTE) return -1;
        }
        if (k >= n && !final) return p;
        cells.push(k === i ? '' : text.slice(i, k));
        i = k;
      }
      if (i >= n) {
        if (!final) return p;
        out.push({ line: state.line, cells });
        state.line = line;
        return n;
      }
      const d = text.charCodeAt(i);
      if (d === delim) {
        i++;
        continue;
      }
      if (d === LF || d === CR) {
        const len = lineBreak(text, i, final, state);
        if (len <= 0) return len === 0 ? p : -1;
        out.push({ line: state.line, cells });
        state.line = line + 1;
        p = i + len;
        continue record;
      }
      // Anything else after a closing quote: csv-parse says what is wrong.
      return -1;
    }
  }
  return p;
}

/**
 * The fast reading: records as they complete, then 'done', or 'fallback' (before anything is
 * wrong in what it gave) when the text needs csv-parse.
 */
async function* fastRecords(path: string, delim: number, opts: CsvOptions): AsyncGenerator<{ line: number; cells: string[] }, 'done' | 'fallback'> {
  const src = await openText(path, opts);
  const decoder = new TextDecoder('utf-8');
  const state: ScanState = { line: 1, eol: 0 };
  let carry = '';
  const out: { line: number; cells: string[] }[] = [];
  try {
    try {
      for await (const chunk of src.stream) {
        // TextDecoder drops a leading BOM, as csv-parse's `bom` does.
        let text = decoder.decode(chunk as Buffer, { stream: true });
        if (carry) text = carry + text;
        const used = scanRecords(text, false, delim, state, out);
        if (used < 0) return 'fallback';
        carry = used === text.length ? '' : text.slice(used);
        if (carry.length > MAX_RECORD_BYTES) return 'fallback';
        for (const r of out) yield r;
        out.length = 0;
      }
    } catch (e) {
      const failure = src.failure();
      if (failure) throw streamFailure(path, failure);
      throw e;
    }
    const failure = src.failure();
    if (failure) throw streamFailure(path, failure);
    const rest = carry + decoder.decode();
    if (rest.length) {
      const used = scanRecords(rest, true, delim, state, out);
      if (used < 0) return 'fallback';
      for (const r of out) yield r;
      out.length = 0;
    }
    opts.onEnd?.({ endsWithLineBreak: src.lastByte() === 0x0a || src.lastByte() === 0x0d });
    return 'done';
  } finally {
    src.close();
  }
}

/** Records by csv-parse: every input the fast tokenizer hands over, with csv-parse's errors. */
async function* parsedRecords(path: string, opts: CsvOptions): AsyncGenerator<{ line: number; cells: string[] }> {
  const src = await openText(path, opts);
  const parser = parse({
    bom: true,
    delimiter: opts.delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    columns: false,
    max_record_size: MAX_RECORD_BYTES,
  });
  src.stream.on('error', (e) => parser.destroy(e));
  src.stream.pipe(parser);
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const cells = rec.record;
      // info.lines is where the record ends; a quoted cell may span lines, so step back over them.
      let inner = 0;
      for (const c of cells) for (let k = c.indexOf('\n'); k >= 0; k = c.indexOf('\n', k + 1)) inner++;
      yield { line: rec.info.lines - inner, cells };
    }
    opts.onEnd?.({ endsWithLineBreak: src.lastByte() === 0x0a || src.lastByte() === 0x0d });
  } catch (e) {
    const failure = src.failure();
    if (failure) throw streamFailure(path, failure);
    const err = e as Error & { lines?: number; code?: string };
    throw new InvalidInput(`${path}: not a readable CSV file: ${err.message}`, [{ path: '', file: path, ...(err.lines !== undefined && { line: err.lines }), message: err.message }], 'Check the file is CSV (comma-separated, quoted fields closed).');
  } finally {
    src.close();
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
