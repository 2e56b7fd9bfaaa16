/**
 * S3 Inventory reports in CSV: data files without a header line (plain or gzip), whose columns
 * are named by the report's manifest.json `fileSchema` ("Bucket, Key, Size, LastModifiedDate, …").
 * Give the manifest (its data files are looked up by name beside it or in data/) or a data file
 * with its schema. Keys are URL-encoded in the report. Old versions and delete markers are left out:
 * lifecycle transitions of current objects are what the plan is about.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InvalidInput } from '../../core/errors.js';
import { readCsv } from './csv.js';
import { readTextFile } from './input-file.js';
import type { StorageObjectRecord } from '../../app/storage.js';
import { parseTimestamp } from './timestamp.js';

export const DEFAULT_INVENTORY_SCHEMA = 'Bucket, Key, Size, LastModifiedDate, StorageClass';
const REQUIRED = ['Bucket', 'Key', 'Size', 'LastModifiedDate'];

export interface InventoryFiles {
  schema: string[];
  files: string[];
}

/** The data files and schema named by a manifest.json, or one data file with a schema. */
export async function inventoryFiles(path: string, schemaText?: string): Promise<InventoryFiles> {
  if (path.endsWith('.json')) {
    const text = await readTextFile(path, 64 * 1024 * 1024, 'an S3 Inventory manifest.json');
    let manifest: { fileFormat?: string; fileSchema?: string; files?: { key?: string }[] };
    try {
      manifest = JSON.parse(text);
    } catch (e) {
      throw new InvalidInput(`${path}: not JSON: ${(e as Error).message}`, [{ path: '', file: path, message: 'invalid JSON' }], 'Give the manifest.json of an S3 Inventory report.');
    }
    if (manifest.fileFormat !== undefined && manifest.fileFormat.toUpperCase() !== 'CSV') {
      throw new InvalidInput(`${path}: the inventory is ${manifest.fileFormat}; Penny reads CSV inventories`, [{ path: 'fileFormat', file: path, message: 'not CSV', expected: 'CSV', found: manifest.fileFormat }], 'Configure the S3 Inventory report with output format CSV.');
    }
    if (typeof manifest.fileSchema !== 'string' || !Array.isArray(manifest.files) || manifest.files.length === 0) {
      throw new InvalidInput(`${path}: not an S3 Inventory manifest (no fileSchema or files)`, [{ path: 'fileSchema', file: path, message: 'missing fileSchema or files' }], 'Give the manifest.json of an S3 Inventory report.');
    }
    const dir = dirname(path);
    const files = manifest.files.map((f, i) => {
      const name = basename(String(f.key ?? ''));
      const found = [join(dir, name), join(dir, 'data', name)].find((p) => existsSync(p));
      if (!found) throw new InvalidInput(`${path}: data file ${name} of the manifest is not beside it nor in data/`, [{ path: `files[${i}].key`, file: path, message: 'file not found', found: String(f.key) }], 'Download the report\'s data files next to its manifest.json.');
      return found;
    });
    return { schema: checkSchema(manifest.fileSchema, path), files };
  }
  return { schema: checkSchema(schemaText ?? DEFAULT_INVENTORY_SCHEMA, path), files: [path] };
}

function checkSchema(text: string, file: string): string[] {
  const schema = text.split(',').map((s) => s.trim()).filter(Boolean);
  const missing = REQUIRED.filter((r) => !schema.includes(r));
  if (missing.length) throw new InvalidInput(`${file}: the inventory schema lacks ${missing.join(', ')}`, [{ path: 'fileSchema', file, message: `missing ${missing.join(', ')}`, found: schema.join(', ') }], 'Include Size and Last modified date in the S3 Inventory report\'s fields.');
  return schema;
}

/** Every cell of an inventory is quoted: a file cut inside a cell ends with its quote still open. */
async function* records(file: string, schema: string[], onBytes?: (read: number, total: number) => void) {
  try {
    yield* readCsv(file, { columns: schema, ...(onBytes && { onBytes }) });
  } catch (e) {
    const issue = e instanceof InvalidInput ? e.issues[0] : undefined;
    if (issue && /Quote Not Closed/i.test(issue.message)) {
      throw new InvalidInput(`${file}:${issue.line ?? '?'}: the inventory looks truncated: its last row ends inside a quoted field`, [{ path: '', file, ...(issue.line !== undefined && { line: issue.line }), message: 'row cut short inside a quoted field' }], 'Download the data file again (its size should match the manifest\'s).');
    }
    throw e;
  }
}

export async function* readS3Inventory(inv: InventoryFiles, onBytes?: (read: number, total: number) => void): AsyncGenerator<StorageObjectRecord> {
  for (const file of inv.files) {
    for await (const rec of records(file, inv.schema, onBytes)) {
      const where = { file, line: rec.line };
      if (rec.fields < inv.schema.length) {
        throw new InvalidInput(`${file}:${rec.line}: ${rec.fields} of ${inv.schema.length} fields (${inv.schema.join(', ')}): the inventory looks truncated or its schema is another`, [{ path: inv.schema[rec.fields] ?? '', ...where, message: 'row cut short', expected: `${inv.schema.length} fields`, found: String(rec.fields) }], 'Download the data file again, or give the report\'s manifest.json so its fileSchema is used.');
      }
      const v = rec.values;
      if (v.IsDeleteMarker === 'true' || v.IsLatest === 'false') continue;
      const size = Number(v.Size);
      if (v.Size === '' || !Number.isSafeInteger(size) || size < 0) throw new InvalidInput(`${file}:${rec.line}: Size is not a byte count`, [{ path: 'Size', ...where, message: 'expected a whole number of bytes', found: v.Size }], 'Check the schema matches the data file (give the manifest.json).');
      const createdMs = parseTimestamp(v.LastModifiedDate ?? '');
      if (Number.isNaN(createdMs)) throw new InvalidInput(`${file}:${rec.line}: LastModifiedDate is not a timestamp`, [{ path: 'LastModifiedDate', ...where, message: 'expected an ISO 8601 timestamp', found: v.LastModifiedDate }], 'Check the schema matches the data file (give the manifest.json).');
      let key = v.Key!;
      try {
        key = decodeURIComponent(key);
      } catch {
        // A key with a literal '%' that is not an escape stays as written.
      }
      yield { bucket: v.Bucket!, key, sizeBytes: size, createdMs, ...(v.StorageClass && { storageClass: v.StorageClass }) };
    }
  }
}
