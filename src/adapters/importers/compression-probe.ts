/**
 * Measures codecs on the user's own files: Node's zlib (gzip levels, brotli qualities) on blocks,
 * and DuckDB's Parquet writer with zstd on whole tabular files (CSV, JSON lines). CPU time is the
 * process's user + system time around each call (DuckDB's threads included), so it is the
 * machine's work, not wall time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { duckdbApi } from '../store/duckdb-api.js';
import type { CompressionProbe } from '../../app/compression.js';
import { InvalidInput } from '../../core/errors.js';
import type { Block, FileSize, Measured } from '../../core/storage/compression.js';
import type { Progress } from '../../app/ports.js';

const BLOCK_CODECS: Record<string, (b: Buffer) => Buffer> = {
  'gzip-1': (b) => gzipSync(b, { level: 1 }),
  'gzip-6': (b) => gzipSync(b, { level: 6 }),
  'gzip-9': (b) => gzipSync(b, { level: 9 }),
  ...Object.fromEntries(
    [1, 5, 9, 11].map((q) => [`brotli-${q}`, (b: Buffer) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: q, [constants.BROTLI_PARAM_SIZE_HINT]: b.length } })]),
  ),
};
export const PARQUET_CODEC = 'parquet-zstd';
export const KNOWN_CODECS = [...Object.keys(BLOCK_CODECS), PARQUET_CODEC];
const TABULAR = /\.(csv|tsv|jsonl|ndjson)$/i;

function cpuS(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

async function listFiles(paths: string[]): Promise<FileSize[]> {
  const out: FileSize[] = [];
  const walk = async (p: string): Promise<void> => {
    let s;
    try {
      s = await stat(p);
    } catch {
      throw new InvalidInput(`${p}: no such file or folder`, [{ path: '', file: p, message: 'not found' }], 'Give files or folders that exist.');
    }
    if (s.isDirectory()) {
      for (const e of (await readdir(p, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (e.isSymbolicLink()) continue;
        await walk(join(p, e.name));
      }
    } else if (s.isFile() && s.size > 0) {
      out.push({ path: p, sizeBytes: s.size });
    }
  };
  for (const p of paths) await walk(p);
  return out;
}

async function measure(blocks: Block[], codecs: string[], progress: Progress): Promise<Record<string, Measured[]>> {
  const out: Record<string, Measured[]> = Object.fromEntries(codecs.map((c) => [c, []]));
  progress.start(blocks.length, 'compressing sampled blocks');
  let done = 0;
  for (const b of blocks) {
    const fh = await open(b.path, 'r');
    const buf = Buffer.alloc(b.length);
    try {
      await fh.read(buf, 0, b.length, b.offset);
    } finally {
      await fh.close();
    }
    for (const c of codecs) {
      const t = process.cpuUsage();
      const z = BLOCK_CODECS[c]!(buf);
      out[c]!.push({ inBytes: b.length, outBytes: z.length, cpuS: cpuS(t) });
    }
    progress.tick(++done);
  }
  progress.finish();
  return out;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function parquet(files: FileSize[], progress: Progress): Promise<{ measured: Measured[]; skipped: { path: string; reason: string }[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'penny-parquet-'));
  const db = await duckdbApi.DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const measured: Measured[] = [];
  const skipped: { path: string; reason: string }[] = [];
  progress.start(files.length, 'writing Parquet (zstd) with DuckDB');
  try {
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      const out = join(dir, `${i}.parquet`);
      const reader = /\.(jsonl|ndjson)$/i.test(f.path) ? `read_json(${sqlString(f.path)}, format = 'newline_delimited')` : `read_csv(${sqlString(f.path)})`;
      const t = process.cpuUsage();
      try {
        await conn.run(`COPY (SELECT * FROM ${reader}) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd)`);
        measured.push({ inBytes: f.sizeBytes, outBytes: (await stat(out)).size, cpuS: cpuS(t) });
      } catch (e) {
        skipped.push({ path: f.path, reason: (e as Error).message.split('\n')[0]! });
      }
      progress.tick(i + 1);
    }
  } finally {
    conn.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
  progress.finish();
  return { measured, skipped };
}

export const compressionProbe: CompressionProbe = {
  listFiles,
  measure,
  parquet,
  isTabular: (path: string) => TABULAR.test(path),
  knownCodecs: KNOWN_CODECS,
  parquetCodec: PARQUET_CODEC,
};
