/**
 * Replica profiles a user measured (a CSV, one row per model × GPU type):
 * model,gpu,gpus_per_replica,prefill_tokens_per_s,decode_step_base_ms,decode_step_per_kv_token_us,
 * kv_capacity_tokens,max_batch,startup_s[,source]. The decode step is the time of one step with an
 * empty KV cache plus the time per resident KV token (fit a line through measured step times).
 */
import { InvalidInput, type Issue } from '../../core/errors.js';
import type { ReplicaProfile } from '../../core/serving/replica.js';
import { readCsv, readCsvHeader } from './csv.js';

const COLUMNS = ['model', 'gpu', 'gpus_per_replica', 'prefill_tokens_per_s', 'decode_step_base_ms', 'decode_step_per_kv_token_us', 'kv_capacity_tokens', 'max_batch', 'startup_s'] as const;
const HINT = `A profiles CSV has the columns ${COLUMNS.join(',')} and optionally source; see docs/serving.md.`;

export async function readReplicaProfiles(path: string): Promise<ReplicaProfile[]> {
  const header = await readCsvHeader(path);
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw new InvalidInput(`${path}: missing column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`, missing.map((m) => ({ path: m, file: path, line: 1, message: 'no such column in the header' })), HINT);
  const out: ReplicaProfile[] = [];
  const issues: Issue[] = [];
  for await (const rec of readCsv(path)) {
    const v = rec.values;
    const n = (c: (typeof COLUMNS)[number], integer: boolean, min: number) => {
      const x = Number(v[c]);
      if (!(v[c]?.trim() && Number.isFinite(x) && x >= min && (!integer || Number.isInteger(x)))) {
        issues.push({ path: c, file: path, line: rec.line, message: `not ${integer ? 'a whole number' : 'a number'} ≥ ${min}`, found: JSON.stringify(v[c] ?? '') });
        return NaN;
      }
      return x;
    };
    if (!v.model?.trim()) issues.push({ path: 'model', file: path, line: rec.line, message: 'empty' });
    if (!v.gpu?.trim()) issues.push({ path: 'gpu', file: path, line: rec.line, message: 'empty' });
    out.push({
      model: v.model?.trim() ?? '',
      gpu: v.gpu?.trim() ?? '',
      gpusPerReplica: n('gpus_per_replica', true, 1),
      prefillTokensPerS: n('prefill_tokens_per_s', false, Number.MIN_VALUE),
      decodeStepBaseS: n('decode_step_base_ms', false, 0) / 1000,
      decodeStepPerKvTokenS: n('decode_step_per_kv_token_us', false, 0) / 1e6,
      kvCapacityTokens: n('kv_capacity_tokens', true, 1),
      maxBatch: n('max_batch', true, 1),
      startupS: n('startup_s', false, 0),
      source: v.source?.trim() || `${path}:${rec.line}`,
    });
  }
  if (issues.length) throw new InvalidInput(`${path}: replica profiles cannot be read`, issues.slice(0, 20), HINT);
  if (out.length === 0) throw new InvalidInput(`${path}: no profiles`, [{ path: '', file: path, message: 'the file has a header but no rows' }], HINT);
  return out;
}
