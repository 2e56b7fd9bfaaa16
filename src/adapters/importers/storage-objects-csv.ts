/**
 * The simple object list, for storage that has no S3 Inventory (a NAS, a GCS or Azure listing
 * turned into CSV): a header line with `key`, `size_bytes`, `created` and, optionally,
 * `accessed` (read times separated by `;`, each read taken as a read of the whole object).
 *
 *   key,size_bytes,created,accessed
 *   ckpt/run1/step1000.pt,5368709120,2025-01-03T10:00:00Z,2025-01-05T08:00:00Z;2025-02-01T00:00:00Z
 */
import { InvalidInput } from '../../core/errors.js';
import { readCsv, sniffText } from './csv.js';
import type { StorageObjectRecord } from '../../app/storage.js';
import { parseTimestamp } from './timestamp.js';

export async function* readStorageObjectsCsv(file: string, onBytes?: (read: number, total: number) => void): AsyncGenerator<StorageObjectRecord> {
  await sniffText(file, 'a CSV of objects (key,size_bytes,created,accessed)');
  let checked = false;
  for await (const rec of readCsv(file, onBytes ? { onBytes } : {})) {
    if (!checked) {
      const missing = ['key', 'size_bytes', 'created'].filter((c) => !rec.header.includes(c));
      if (missing.length) throw new InvalidInput(`${file}:1: the header lacks ${missing.join(', ')}`, [{ path: missing[0]!, file, line: 1, message: 'missing column', expected: 'key,size_bytes,created[,accessed]', found: rec.header.join(',') }], 'Start the file with the header line key,size_bytes,created,accessed.');
      checked = true;
    }
    const where = { file, line: rec.line };
    const v = rec.values;
    if (!v.key) throw new InvalidInput(`${file}:${rec.line}: key is empty`, [{ path: 'key', ...where, message: 'empty key' }], 'Give every object its key (path).');
    const size = Number(v.size_bytes);
    if (v.size_bytes === '' || !Number.isSafeInteger(size) || size < 0) throw new InvalidInput(`${file}:${rec.line}: size_bytes is not a byte count`, [{ path: 'size_bytes', ...where, message: 'expected a whole number of bytes', found: v.size_bytes }], 'Write sizes in bytes, without units.');
    const createdMs = parseTimestamp(v.created ?? '');
    if (Number.isNaN(createdMs)) throw new InvalidInput(`${file}:${rec.line}: created is not a timestamp`, [{ path: 'created', ...where, message: 'expected an ISO 8601 timestamp', found: v.created }], 'Write times as ISO 8601, e.g. 2025-01-03T10:00:00Z.');
    const readsMs = (v.accessed ?? '')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const t = parseTimestamp(s);
        if (Number.isNaN(t)) throw new InvalidInput(`${file}:${rec.line}: accessed has ${JSON.stringify(s)}, not a timestamp`, [{ path: 'accessed', ...where, message: 'expected ISO 8601 timestamps separated by ;', found: s }], 'Separate read times with ;.');
        return t;
      });
    yield { bucket: '', key: v.key, sizeBytes: size, createdMs, readsMs };
  }
}
