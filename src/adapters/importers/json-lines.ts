/**
 * Newline-delimited JSON (BigQuery's JSON export, one object a line), streamed, gzip by magic bytes.
 * Nested objects are flattened to the dotted names BigQuery's CSV export uses (`service.description`),
 * arrays are kept as JSON text; numbers are kept as the text the file wrote (lossless-json), so money
 * never passes through a binary float.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { isLosslessNumber, parse, stringify } from 'lossless-json';
import { InvalidInput } from '../../core/errors.js';
import { isGzip } from './csv.js';

/** Does the file start (after whitespace, a BOM or gzip) with a JSON object? */
export async function looksLikeJsonLines(path: string): Promise<boolean> {
  for await (const { text } of lines(path, 1)) return text.trimStart().startsWith('{');
  return false;
}

async function* lines(path: string, limit = Infinity): AsyncGenerator<{ text: string; line: number }> {
  const gzip = await isGzip(path);
  const raw = createReadStream(path);
  const source = gzip ? raw.pipe(createGunzip()) : raw;
  // A stream error (a truncated gzip) must reach the reader as bad input, not crash the process.
  let failure: Error | undefined;
  source.on('error', (e: Error) => (failure = e));
  const rl = createInterface({ input: source, crlfDelay: Infinity });
  let n = 0;
  let seen = 0;
  try {
    for await (const text of rl) {
      n++;
      const t = n === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (t.trim() === '') continue;
      yield { text: t, line: n };
      if (++seen >= limit) break;
    }
  } finally {
    rl.close();
    raw.destroy();
  }
  if (failure) throw new InvalidInput(`${path}: not a readable file: ${failure.message}`, [{ path: '', file: path, message: failure.message }], 'The file may be cut short: download or export it again.');
}

function flatten(prefix: string, v: unknown, out: Record<string, string>): void {
  if (v === null || v === undefined) return;
  if (isLosslessNumber(v)) out[prefix] = v.toString();
  else if (Array.isArray(v)) out[prefix] = stringify(v) ?? '';
  else if (typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, out);
  else out[prefix] = String(v);
}

/** One record per line: its 1-based line and its cells under flattened names. */
export async function* readJsonLines(path: string): AsyncGenerator<{ line: number; values: Record<string, string> }> {
  for await (const { text, line } of lines(path)) {
    let obj: unknown;
    try {
      obj = parse(text);
    } catch (e) {
      throw new InvalidInput(`${path}:${line}: not a JSON object: ${(e as Error).message}`, [{ path: '', file: path, line, message: 'not a JSON object' }], 'Each line of a JSON-lines export must be one JSON object; export the file again.');
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new InvalidInput(`${path}:${line}: expected a JSON object on each line`, [{ path: '', file: path, line, message: 'not a JSON object' }], 'Export newline-delimited JSON (one object a line).');
    }
    const values: Record<string, string> = {};
    flatten('', obj, values);
    yield { line, values };
  }
}

/**
 * The flattened names of the first records (what detection and mapping look at): a JSON export
 * leaves out null fields, so one record need not name every column.
 */
export async function readJsonLinesHeader(path: string, records = 1000): Promise<string[]> {
  const names = new Set<string>();
  let n = 0;
  for await (const r of readJsonLines(path)) {
    for (const k of Object.keys(r.values)) names.add(k);
    if (++n >= records) break;
  }
  return [...names];
}
