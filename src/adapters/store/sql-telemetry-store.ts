/** TelemetryStore in portable SQL over a SqlSession (the same session SqlStore uses). */
import type { TelemetrySourceRecord, TelemetryStore } from '../../app/telemetry-ports.js';
import type { GpuInfo, GpuSample } from '../../core/telemetry/model.js';
import type { GpuRollup } from '../../core/telemetry/rollup.js';
import type { DuckDbSession } from './duckdb.js';
import { bytewise, type SqlSession, type SqlValue } from './session.js';

export class SqlTelemetryStore implements TelemetryStore {
  constructor(readonly session: SqlSession) {}

  transaction<T>(fn: (tx: TelemetryStore) => Promise<T>): Promise<T> {
    return this.session.transaction(async (s) => {
      await lockTelemetry(s);
      return fn(new SqlTelemetryStore(s));
    });
  }

  async findSource(contentHash: string): Promise<TelemetrySourceRecord | undefined> {
    const rows = await this.session.all<Row>(`SELECT * FROM telemetry_sources WHERE content_hash = $1`, [contentHash]);
    return rows[0] && sourceFromRow(rows[0]);
  }

  async addSource(s: TelemetrySourceRecord): Promise<void> {
    await this.session.run(`INSERT INTO telemetry_sources (id, kind, location, content_hash, samples, ingested_at) VALUES ($1, $2, $3, $4, $5, $6)`, [s.id, s.kind, s.location, s.contentHash, s.samples, s.ingestedAt]);
  }

  async upsertGpus(gpus: GpuInfo[]): Promise<void> {
    for (const g of gpus) {
      const found = await this.session.all<Row>(`SELECT gpu_id FROM gpus WHERE gpu_id = $1`, [g.gpuId]);
      if (found.length) {
        // Later sources may know more (a model name, the memory size): fill, never erase.
        await this.session.run(`UPDATE gpus SET model = coalesce($2, model), memory_total_mib = coalesce($3, memory_total_mib) WHERE gpu_id = $1`, [g.gpuId, g.model, g.memoryTotalMiB]);
      } else {
        await this.session.run(`INSERT INTO gpus (gpu_id, host, gpu_index, model, memory_total_mib) VALUES ($1, $2, $3, $4, $5)`, [g.gpuId, g.host, g.index, g.model, g.memoryTotalMiB]);
      }
    }
  }

  async addSamples(sourceId: string, samples: GpuSample[]): Promise<number> {
    const byGpu = new Map<string, Map<number, GpuSample>>();
    for (const s of samples) {
      let m = byGpu.get(s.gpuId);
      if (!m) byGpu.set(s.gpuId, (m = new Map()));
      if (!m.has(s.tsMs)) m.set(s.tsMs, s);
    }
    const rows: SqlValue[][] = [];
    for (const [gpuId, m] of byGpu) {
      // A loop, not Math.min(...ts): spreading a million arguments overflows the stack.
      let lo = Infinity;
      let hi = -Infinity;
      for (const t of m.keys()) {
        if (t < lo) lo = t;
        if (t > hi) hi = t;
      }
      // Roll-ups (penny gpu compact) hold samples that are no longer raw: a sample they cover is
      // counted already, and storing it again would count its energy and hours twice.
      const buckets = (await this.session.all<Row>(`SELECT start_ms, bucket_ms FROM gpu_rollups WHERE gpu_id = $1 AND start_ms <= $2 AND start_ms + bucket_ms > $3 ORDER BY start_ms`, [gpuId, hi, lo])).map((r) => ({ startMs: Number(r.start_ms), endMs: Number(r.start_ms) + Number(r.bucket_ms), firstRawMs: Infinity }));
      const from = buckets.length ? Math.min(lo, buckets[0]!.startMs) : lo;
      const stored = (await this.session.all<{ ts_ms: bigint | number }>(`SELECT ts_ms FROM gpu_samples WHERE gpu_id = $1 AND ts_ms BETWEEN $2 AND $3 ORDER BY ts_ms`, [gpuId, from, hi])).map((r) => Number(r.ts_ms));
      const existing = new Set(stored);
      // The bucket the raw cut went through was rolled up to its first raw sample only: a sample
      // after that one is not in the roll-up.
      for (const t of stored) {
        const b = bucketAt(buckets, t);
        if (b && t < b.firstRawMs) b.firstRawMs = t;
      }
      for (const s of m.values()) {
        if (existing.has(s.tsMs)) continue;
        const b = bucketAt(buckets, s.tsMs);
        if (b && s.tsMs < b.firstRawMs) continue;
        rows.push([s.gpuId, s.tsMs, s.utilGpuPct, s.utilMemPct, s.memUsedMiB, s.powerW, sourceId]);
      }
    }
    const append = (this.session as Partial<DuckDbSession>).appendRows;
    if (append) await append.call(this.session, 'gpu_samples', ['varchar', 'bigint', 'double', 'double', 'double', 'double', 'varchar'], rows);
    else await this.session.insertMany('gpu_samples', ['gpu_id', 'ts_ms', 'util_gpu_pct', 'util_mem_pct', 'mem_used_mib', 'power_w', 'source_id'], rows);
    return rows.length;
  }

  async listGpus(): Promise<GpuInfo[]> {
    const b = (col: string) => bytewise(this.session.dialect, col);
    const rows = await this.session.all<Row>(`SELECT * FROM gpus ORDER BY ${b('host')}, ${b('gpu_index')}, ${b('gpu_id')}`);
    return rows.map((r) => ({ gpuId: String(r.gpu_id), host: String(r.host), index: String(r.gpu_index), model: r.model == null ? null : String(r.model), memoryTotalMiB: r.memory_total_mib == null ? null : Number(r.memory_total_mib) }));
  }

  async samples(gpuId: string, range: { fromMs?: number; toMs?: number } = {}): Promise<GpuSample[]> {
    const rows = await this.session.all<Row>(`SELECT * FROM gpu_samples WHERE gpu_id = $1 AND ts_ms >= $2 AND ts_ms <= $3 ORDER BY ts_ms`, [
      gpuId,
      range.fromMs ?? Number.MIN_SAFE_INTEGER,
      range.toMs ?? Number.MAX_SAFE_INTEGER,
    ]);
    return rows.map((r) => ({ gpuId, tsMs: Number(r.ts_ms), utilGpuPct: num(r.util_gpu_pct), utilMemPct: num(r.util_mem_pct), memUsedMiB: num(r.mem_used_mib), powerW: num(r.power_w) }));
  }

  async sampleCount(): Promise<number> {
    const rows = await this.session.all<{ n: bigint | number }>(`SELECT count(*) AS n FROM gpu_samples`);
    return Number(rows[0]?.n ?? 0);
  }

  async rollups(gpuId: string, range: { fromMs?: number; toMs?: number } = {}): Promise<GpuRollup[]> {
    const { SqlTelemetryRollups } = await import('./sql-telemetry-rollups.js');
    return new SqlTelemetryRollups(this.session).rollups(gpuId, range);
  }

  async sampleSpans(): Promise<{ gpuId: string; firstMs: number; lastMs: number }[]> {
    // Roll-ups (penny gpu compact) are part of what a usage report spans.
    const rows = await this.session.all<Row>(
      `SELECT gpu_id, min(first_ms) AS first_ms, max(last_ms) AS last_ms FROM (
         SELECT gpu_id, min(ts_ms) AS first_ms, max(ts_ms) AS last_ms FROM gpu_samples GROUP BY gpu_id
         UNION ALL SELECT gpu_id, min(start_ms) AS first_ms, max(start_ms + bucket_ms) AS last_ms FROM gpu_rollups GROUP BY gpu_id
       ) AS spans GROUP BY gpu_id ORDER BY ${bytewise(this.session.dialect, 'gpu_id')}`,
    );
    return rows.map((r) => ({ gpuId: String(r.gpu_id), firstMs: Number(r.first_ms), lastMs: Number(r.last_ms) }));
  }

  async listSources(): Promise<TelemetrySourceRecord[]> {
    return (await this.session.all<Row>(`SELECT * FROM telemetry_sources ORDER BY ingested_at, ${bytewise(this.session.dialect, 'id')}`)).map(sourceFromRow);
  }
}

type Row = Record<string, unknown>;

/** PostgreSQL advisory lock key of telemetry writes (the migrations' key + 2; any fixed number). */
const TELEMETRY_LOCK = 112101110110123;

/**
 * Telemetry writes (an ingest, a compaction) one at a time, as DuckDB's one writer takes them: on
 * PostgreSQL each would look for GPUs, samples and roll-ups without seeing another's uncommitted
 * ones, and fail on a key or store a sample beside the roll-up that counts it. Held to the end of
 * the transaction (re-entrant within it).
 */
export async function lockTelemetry(s: SqlSession): Promise<void> {
  if (s.dialect === 'postgres') await s.run(`SELECT pg_advisory_xact_lock(${TELEMETRY_LOCK})`);
}

/** The roll-up bucket holding `tsMs` (buckets sorted by start, never overlapping), by bisection. */
function bucketAt<B extends { startMs: number; endMs: number }>(buckets: B[], tsMs: number): B | undefined {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = buckets[mid]!;
    if (tsMs < b.startMs) hi = mid - 1;
    else if (tsMs >= b.endMs) lo = mid + 1;
    else return b;
  }
  return undefined;
}

function num(x: unknown): number | null {
  return x == null ? null : Number(x);
}

function sourceFromRow(r: Row): TelemetrySourceRecord {
  return { id: String(r.id), kind: r.kind as TelemetrySourceRecord['kind'], location: String(r.location), contentHash: String(r.content_hash), samples: Number(r.samples), ingestedAt: String(r.ingested_at) };
}
