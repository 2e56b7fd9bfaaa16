/**
 * Inference request traces → a serving workload (one row per request).
 *
 * - Azure LLM inference traces: TIMESTAMP,ContextTokens,GeneratedTokens.
 * - A generic CSV: time (ISO 8601 or epoch seconds/ms), context_tokens, generated_tokens and an
 *   optional adapter (any text: a LoRA or model name; requests with the same one share it).
 * - Alibaba GenAI text-to-image requests (alibaba/clusterdata): gmt_create, the checkpoint model
 *   id, the number of LoRAs, inference steps and execution time. A diffusion request has no prompt
 *   to prefill and one denoising pass per step, so it becomes context 0 and one "generated token"
 *   per step; the checkpoint is the adapter (what must be resident). Its replica profile is then
 *   one a user measures (decode step = one denoising step), not the default LLM table's.
 *   Column names are matched by the aliases below, case-insensitively.
 */
import { basename } from 'node:path';
import { InvalidInput, type Issue } from '../../core/errors.js';
import { workloadFromRows, type RequestRow, type ServingWorkload } from '../../core/serving/workload.js';
import { readCsv, readCsvHeader } from './csv.js';
import { parseTimestamp } from './timestamp.js';

export const SERVING_FORMATS = ['azure', 'csv', 'alibaba-t2i'] as const;
export type ServingFormat = (typeof SERVING_FORMATS)[number];

const ALIASES = {
  time: ['time', 'timestamp', 'arrival', 'arrival_time'],
  context: ['context_tokens', 'input_tokens', 'prompt_tokens', 'contexttokens'],
  generated: ['generated_tokens', 'output_tokens', 'completion_tokens', 'generatedtokens'],
  adapter: ['adapter', 'lora', 'model'],
  t2iTime: ['gmt_create'],
  t2iModel: ['model_id', 'checkpoint_id', 'ckpt_id', 'checkpoint', 'base_model_id', 'model'],
  t2iLoras: ['lora_num', 'num_loras', 'lora_count', 'loras'],
  t2iSteps: ['inference_steps', 'num_inference_steps', 'steps', 'step'],
  t2iExec: ['execution_time', 'exec_time', 'execution_time_ms', 'exec_time_ms'],
};

const HINTS: Record<ServingFormat, string> = {
  azure: 'An Azure LLM trace has the columns TIMESTAMP,ContextTokens,GeneratedTokens.',
  csv: 'A request CSV has the columns time,context_tokens,generated_tokens and optionally adapter; see docs/serving.md.',
  'alibaba-t2i': 'An Alibaba text-to-image trace has gmt_create, a model id, the number of LoRAs, inference steps and execution time; see docs/serving.md.',
};

function find(header: string[], names: string[]): string | undefined {
  const lower = header.map((h) => h.toLowerCase());
  for (const n of names) {
    const i = lower.indexOf(n);
    if (i >= 0) return header[i];
  }
  return undefined;
}

export function detectServingFormat(header: string[]): ServingFormat {
  if (header.includes('TIMESTAMP') && header.includes('ContextTokens')) return 'azure';
  if (find(header, ALIASES.t2iTime)) return 'alibaba-t2i';
  return 'csv';
}

export async function readServingTrace(path: string, format?: ServingFormat): Promise<{ format: ServingFormat; workload: ServingWorkload }> {
  const header = await readCsvHeader(path);
  const fmt = format ?? detectServingFormat(header);
  const cols =
    fmt === 'alibaba-t2i'
      ? { time: find(header, ALIASES.t2iTime), model: find(header, ALIASES.t2iModel), loras: find(header, ALIASES.t2iLoras), steps: find(header, ALIASES.t2iSteps), exec: find(header, ALIASES.t2iExec) }
      : fmt === 'azure'
        ? { time: header.includes('TIMESTAMP') ? 'TIMESTAMP' : undefined, context: header.includes('ContextTokens') ? 'ContextTokens' : undefined, generated: header.includes('GeneratedTokens') ? 'GeneratedTokens' : undefined }
        : { time: find(header, ALIASES.time), context: find(header, ALIASES.context), generated: find(header, ALIASES.generated) };
  const missing = Object.entries(cols).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length) {
    throw new InvalidInput(`${path}: missing column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} for a ${fmt} request trace`, missing.map((m) => ({ path: m, file: path, line: 1, message: 'no such column in the header', found: header.join(',') })), HINTS[fmt]);
  }
  const adapterCol = fmt === 'csv' ? find(header, ALIASES.adapter) : undefined;
  const adapterIds = new Map<string, number>();
  const idOf = (s: string) => {
    let id = adapterIds.get(s);
    if (id === undefined) adapterIds.set(s, (id = adapterIds.size));
    return id;
  };
  const rows: RequestRow[] = [];
  const issues: Issue[] = [];
  const bad = (line: number, field: string, message: string, found: string | undefined) => {
    if (issues.length < 20) issues.push({ path: field, file: path, line, message, found: JSON.stringify(found ?? '') });
  };
  const count = (raw: string | undefined) => (raw !== undefined && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN);
  for await (const rec of readCsv(path)) {
    const v = rec.values;
    const tMs = parseTimestamp(v[cols.time!] ?? '');
    if (!Number.isFinite(tMs)) bad(rec.line, cols.time!, 'not a timestamp', v[cols.time!]);
    if (fmt === 'alibaba-t2i') {
      const c = cols as { model: string; loras: string; steps: string; exec: string };
      const steps = count(v[c.steps]);
      if (!(steps >= 1)) bad(rec.line, c.steps, 'not a whole number of steps ≥ 1', v[c.steps]);
      if (!(count(v[c.loras]) >= 0)) bad(rec.line, c.loras, 'not a whole number of LoRAs ≥ 0', v[c.loras]);
      const exec = Number(v[c.exec]);
      if (!(Number.isFinite(exec) && exec >= 0)) bad(rec.line, c.exec, 'not an execution time ≥ 0', v[c.exec]);
      if (!v[c.model]?.trim()) bad(rec.line, c.model, 'no model id', v[c.model]);
      rows.push({ tMs, contextTokens: 0, generatedTokens: steps, adapter: idOf(v[c.model]?.trim() ?? ''), line: rec.line });
    } else {
      const c = cols as { context: string; generated: string };
      const ctx = count(v[c.context]);
      const gen = count(v[c.generated]);
      if (!(ctx >= 0)) bad(rec.line, c.context, 'not a whole number of tokens ≥ 0', v[c.context]);
      if (!(gen >= 1)) bad(rec.line, c.generated, 'not a whole number of tokens ≥ 1', v[c.generated]);
      rows.push({ tMs, contextTokens: ctx, generatedTokens: gen, ...(adapterCol && v[adapterCol]?.trim() && { adapter: idOf(v[adapterCol].trim()) }), line: rec.line });
    }
  }
  if (issues.length) throw new InvalidInput(`${path}: request rows cannot be read`, issues, HINTS[fmt]);
  return { format: fmt, workload: workloadFromRows(basename(path).replace(/\.(csv|gz)+$/, ''), rows, path) };
}
