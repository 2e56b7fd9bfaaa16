/** The TelemetryIo the use cases need, made of this folder's importers. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, relative, sep } from 'node:path';
import type { TelemetryIo } from '../../app/telemetry.js';
import { InvalidInput } from '../../core/errors.js';
import { readNvidiaSmiCsv } from './nvidia-smi.js';
import { readPrometheusDcgm } from './prometheus-dcgm.js';

export const telemetryIo: TelemetryIo = {
  async hashFile(path) {
    // A folder streams an EISDIR that names no path; say which path and what to give instead.
    if ((await stat(path)).isDirectory()) throw new InvalidInput(`${path} is a folder, not a file`, [{ path: '', file: path, message: 'is a folder' }], 'Name an nvidia-smi CSV log in it (penny ingest takes a folder of logs).');
    const h = createHash('sha256');
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
    return h.digest('hex');
  },
  readNvidiaSmi: (path, opts) => readNvidiaSmiCsv(path, opts),
  readPrometheus: (url, range, onChunk) => readPrometheusDcgm(url, range, onChunk ? { onChunk } : {}),
};

/**
 * The host a telemetry file's GPUs belong to when neither the file (a hostname column) nor
 * --host says: in a folder ingest, the folder the file is in below the root (fleet/node-b/gpu.csv
 * → node-b), else the file's name without its extensions (fleet/node-a.csv.gz → node-a). GPUs
 * without a UUID are `host:index`, so two hosts' GPU 0 never collide.
 */
export function hostFromPath(file: string, root: string = file): string {
  const rel = relative(root, file);
  const folder = rel && !rel.startsWith('..') ? dirname(rel) : '.';
  if (folder !== '.') return folder.split(sep).pop()!;
  return basename(file).replace(/(\.(csv|gz|log|txt|tsv))+$/i, '') || 'localhost';
}
