/** Roll-ups of GPU samples (table gpu_rollups, migration 151) over a SqlSession: `penny gpu compact`. */
import type { RollupStore, StoreSize } from '../../app/compact.js';
import type { GpuInfo, GpuSample } from '../../core/telemetry/model.js';
import { type GpuRollup, type Stat, reRoll } from '../../core/telemetry/rollup.js';
import type { SqlSession, SqlValue } from './session.js';
import { SqlTelemetryStore, lockTelemetry } from './sql-telemetry-store.js';

const COLUMNS = ['gpu_id', 'bucket_ms', 'start_ms', 'samples', 'util_n', 'util_min', 'util_sum', 'util_max', 'power_n', 'power_min', 'power_sum', 'power_max', 'mem_n', 'mem_min', 'mem_sum', 'mem_max', 'observed_s', 'busy_s', 'util_s', 'util_obs_s', 'energy_kwh', 'gap_s', 'idle_s', 'idle_energy_kwh'];

type Row = Record<string, unknown>;
const n = (x: unknown) => Number(x);
const stat = (r: Row, p: string): Stat => (n(r[`${p}_n`]) > 0 ? { n: n(r[`${p}_n`]), min: n(r[`${p}_min`]), sum: n(r[`${p}_sum`]), max: n(r[`${p}_max`]) } : { n: 0, min: Infinity, max: -Infinity, sum: 0 });
const statCells = (s: Stat): SqlValue[] => [s.n, s.n ? s.min : null, s.sum, s.n ? s.max : null];

function fromRow(r: Row): GpuRollup {
  return {
    gpuId: String(r.gpu_id),
    bucketMs: n(r.bucket_ms),
    startMs: n(r.start_ms),
    samples: n(r.samples),
    util: stat(r, 'util'),
    power: stat(r, 'power'),
    memUsed: stat(r, 'mem'),
    observedS: n(r.observed_s),
    busyS: n(r.busy_s),
    utilS: n(r.util_s),
    utilObsS: n(r.util_obs_s),
    energyKwh: n(r.energy_kwh),
    gapS: n(r.gap_s),
    idleS: n(r.idle_s),
    idleEnergyKwh: n(r.idle_energy_kwh),
  };
}

export class SqlTelemetryRollups implements RollupStore {
  private readonly samplesStore: SqlTelemetryStore;
  constructor(readonly session: SqlSession) {
    this.samplesStore = new SqlTelemetryStore(session);
  }

  transaction<T>(fn: (tx: RollupStore) => Promise<T>): Promise<T> {
    return this.session.transaction(async (s) => {
      await lockTelemetry(s);
      return fn(new SqlTelemetryRollups(s));
    });
  }

  listGpus(): Promise<GpuInfo[]> {
    return this.samplesStore.listGpus();
  }

  samples(gpuId: string): Promise<GpuSample[]> {
    return this.samplesStore.samples(gpuId);
  }

  async deleteSamplesBefore(gpuId: string, beforeMs: number): Promise<void> {
    await this.session.run(`DELETE FROM gpu_samples WHERE gpu_id = $1 AND ts_ms < $2`, [gpuId, beforeMs]);
  }

  async rollups(gpuId: string, range: { fromMs?: number; toMs?: number } = {}): Promise<GpuRollup[]> {
    const rows = await this.session.all<Row>(`SELECT * FROM gpu_rollups WHERE gpu_id = $1 AND start_ms >= $2 AND start_ms <= $3 ORDER BY start_ms, bucket_ms`, [gpuId, range.fromMs ?? Number.MIN_SAFE_INTEGER, range.toMs ?? Number.MAX_SAFE_INTEGER]);
    return rows.map(fromRow);
  }

  /** Adds rows; a row for a bucket already stored is merged into it (late samples of a rolled-up hour). */
  async putRollups(rows: GpuRollup[]): Promise<void> {
    if (rows.length === 0) return;
    const merged: GpuRollup[] = [];
    const groups = new Map<string, GpuRollup[]>();
    for (const r of rows) {
      const k = `${r.gpuId}\u0000${r.bucketMs}`;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    for (const group of groups.values()) {
      const { gpuId, bucketMs } = group[0]!;
      const lo = Math.min(...group.map((r) => r.startMs));
      const hi = Math.max(...group.map((r) => r.startMs));
      const existing = new Map((await this.session.all<Row>(`SELECT * FROM gpu_rollups WHERE gpu_id = $1 AND bucket_ms = $2 AND start_ms BETWEEN $3 AND $4`, [gpuId, bucketMs, lo, hi])).map((r) => [n(r.start_ms), fromRow(r)]));
      for (const r of group) {
        const old = existing.get(r.startMs);
        if (!old) {
          merged.push(r);
          continue;
        }
        await this.session.run(`DELETE FROM gpu_rollups WHERE gpu_id = $1 AND bucket_ms = $2 AND start_ms = $3`, [gpuId, bucketMs, r.startMs]);
        merged.push(...reRoll([old, r], bucketMs));
      }
    }
    await this.session.insertMany(
      'gpu_rollups',
      COLUMNS,
      merged.map((r) => [r.gpuId, r.bucketMs, r.startMs, r.samples, ...statCells(r.util), ...statCells(r.power), ...statCells(r.memUsed), r.observedS, r.busyS, r.utilS, r.utilObsS, r.energyKwh, r.gapS, r.idleS, r.idleEnergyKwh]),
    );
  }

  async deleteRollups(gpuId: string, bucketMs: number, beforeMs: number): Promise<void> {
    await this.session.run(`DELETE FROM gpu_rollups WHERE gpu_id = $1 AND bucket_ms = $2 AND start_ms < $3`, [gpuId, bucketMs, beforeMs]);
  }

  async size(): Promise<StoreSize> {
    const count = async (t: string) => Number((await this.session.all<{ c: unknown }>(`SELECT count(*) AS c FROM ${t}`))[0]!.c);
    const samples = await count('gpu_samples');
    const rollups = await count('gpu_rollups');
    if (this.session.dialect === 'postgres') {
      // Deleted rows keep their pages until a VACUUM FULL, so the tables' file size says little
      // right after a compaction; the live rows' bytes are what the data takes.
      const r = await this.session.all<{ b: unknown }>(`SELECT (SELECT coalesce(sum(pg_column_size(s.*)), 0) FROM gpu_samples s) + (SELECT coalesce(sum(pg_column_size(r.*)), 0) FROM gpu_rollups r) AS b`);
      return { samples, rollups, bytes: Number(r[0]!.b), bytesBasis: 'live row bytes of gpu_samples + gpu_rollups (pg_column_size; VACUUM FULL returns the pages)' };
    }
    // Deleted rows free their blocks at a checkpoint; used blocks × block size is what the file holds.
    await this.session.run('CHECKPOINT');
    const r = await this.session.all<Row>(`SELECT used_blocks, block_size FROM pragma_database_size()`);
    return { samples, rollups, bytes: n(r[0]!.used_blocks) * n(r[0]!.block_size), bytesBasis: 'DuckDB used blocks × block size (whole workspace database)' };
  }
}
