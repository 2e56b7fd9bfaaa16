import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../core/errors.js';
import { readServingTrace } from './serving-trace.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-serving-trace-'));
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('readServingTrace', () => {
  it('reads an Azure LLM trace by its header', async () => {
    const f = file('azure.csv', 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:04.0319600,3180,8\n2023-11-16 18:17:03.9799600,4808,10\n');
    const { format, workload } = await readServingTrace(f);
    expect(format).toBe('azure');
    // Sorted by time: the second row came first.
    expect([...workload.contextTokens]).toEqual([4808, 3180]);
    expect(workload.arrivalS[1]).toBeCloseTo(0.052, 6);
    expect([...workload.adapter]).toEqual([-1, -1]);
  });

  it('reads a generic CSV with adapters named by text', async () => {
    const f = file('generic.csv', 'time,input_tokens,output_tokens,adapter\n0,10,5,sql-lora\n1.5,20,6,chat-lora\n2,30,7,sql-lora\n3,40,8,\n');
    const { format, workload } = await readServingTrace(f);
    expect(format).toBe('csv');
    expect([...workload.adapter]).toEqual([0, 1, 0, -1]);
    expect([...workload.arrivalS]).toEqual([0, 1.5, 2, 3]);
  });

  it('reads Alibaba text-to-image requests: steps as generated tokens, the checkpoint as the adapter', async () => {
    const f = file('t2i.csv', 'gmt_create,model_id,lora_num,inference_steps,execution_time\n2025-03-01 10:00:00,ckpt-a,2,30,4.1\n2025-03-01 10:00:02,ckpt-b,0,20,2.5\n2025-03-01 10:00:03,ckpt-a,1,25,3.0\n');
    const { format, workload } = await readServingTrace(f);
    expect(format).toBe('alibaba-t2i');
    expect([...workload.generatedTokens]).toEqual([30, 20, 25]);
    expect([...workload.contextTokens]).toEqual([0, 0, 0]);
    expect([...workload.adapter]).toEqual([0, 1, 0]);
  });

  it('says which rows and fields are wrong, with lines', async () => {
    const f = file('bad.csv', 'time,context_tokens,generated_tokens\n2026-01-01T00:00:00Z,10,5\nyesterday,10,5\n2026-01-01T00:00:02Z,-1,5\n2026-01-01T00:00:03Z,10,0\n');
    const e = (await readServingTrace(f).catch((x: unknown) => x)) as InvalidInput;
    expect(e).toBeInstanceOf(InvalidInput);
    expect(e.issues.map((i) => [i.line, i.path])).toEqual([[3, 'time'], [4, 'context_tokens'], [5, 'generated_tokens']]);
  });

  it('names the missing columns of a text-to-image trace', async () => {
    const f = file('t2i-bad.csv', 'gmt_create,model_id\n2025-03-01 10:00:00,ckpt-a\n');
    await expect(readServingTrace(f)).rejects.toThrow(/missing columns loras, steps, exec/);
  });
});

describe('readReplicaProfiles', () => {
  it('reads measured profiles in seconds and says which cells are wrong', async () => {
    const { readReplicaProfiles } = await import('./replica-profiles.js');
    const head = 'model,gpu,gpus_per_replica,prefill_tokens_per_s,decode_step_base_ms,decode_step_per_kv_token_us,kv_capacity_tokens,max_batch,startup_s\n';
    const [p] = await readReplicaProfiles(file('p.csv', `${head}m,L4,1,4000,30,0.5,50000,64,90\n`));
    expect(p).toMatchObject({ gpusPerReplica: 1, prefillTokensPerS: 4000, decodeStepBaseS: 0.03, decodeStepPerKvTokenS: 5e-7, kvCapacityTokens: 50000, maxBatch: 64, startupS: 90 });
    const e = (await readReplicaProfiles(file('q.csv', `${head}m,L4,0,4000,30,0.5,50000,64,90\n`)).catch((x: unknown) => x)) as InvalidInput;
    expect(e.issues[0]).toMatchObject({ path: 'gpus_per_replica', line: 2 });
    await expect(readReplicaProfiles(file('r.csv', 'model,gpu\nm,L4\n'))).rejects.toThrow(/missing columns gpus_per_replica/);
  });
});
