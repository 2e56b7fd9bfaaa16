import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRng } from '../src/core/rng.js';
import { syntheticWorkload } from '../src/core/serving/workload.js';
import { openStore } from '../src/adapters/store/workspace.js';
import { runPenny } from './cli.js';
import { sharedFile } from './shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-serving-cli-'));

/** A generated generic request CSV: 30 min, a load that doubles halfway, 20 LoRA adapters (Zipf). */
function fixture(): string {
  const w = syntheticWorkload(seededRng(12), { durationS: 1800, ratePerS: (t) => (t < 900 ? 2 : 4), context: [100, 2500], generated: [10, 200], adapters: 20, zipfS: 1.1 });
  const start = Date.parse('2026-01-05T09:00:00Z');
  const lines = ['time,context_tokens,generated_tokens,adapter'];
  for (let i = 0; i < w.arrivalS.length; i++) lines.push(`${new Date(start + w.arrivalS[i]! * 1000).toISOString()},${w.contextTokens[i]},${w.generatedTokens[i]},lora-${w.adapter[i]}`);
  const f = join(dir, 'requests.csv');
  writeFileSync(f, lines.join('\n') + '\n');
  const spot = join(dir, 'spot.json');
  writeFileSync(spot, JSON.stringify({ metadata: { gap_seconds: 300 }, data: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1] }));
  return f;
}
const requests = fixture();

describe('penny serving', () => {
  it('compares every balancer × autoscaler and the plan in an aligned table with units', async () => {
    // The zone's own spot price after '@'.
    const r = await runPenny(['serving', requests, '--spot-trace', `${join(dir, 'spot.json')}@0.50`, '--plan-gpus', 'A100,L4']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^spot: zone spot at \$0\.50\/h$/m);
    for (const a of ['fixed-peak', 'reactive', 'forecast', 'spot-mix']) for (const b of ['round-robin', 'least-outstanding', 'power-of-two', 'consistent-hash']) expect(r.stdout).toMatch(new RegExp(`^${a}\\s+${b}\\s+\\$[\\d,]+\\.\\d\\d\\s+-?\\d+%\\s+[\\d.]+%\\s+(yes|NO)\\s+[\\d.]+ s\\s+[\\d.]+ s\\s+[\\d.]+ ms`, 'm'));
    expect(r.stdout).toMatch(/^plan \(1 × (A100|L4)\)/m);
    expect(r.stdout).toContain('TTFT p99');
    expect(r.stdout).toContain('requests in = served + dropped');
  }, 120_000);

  it('prints exact JSON, the same on every run, conserved in every row', async () => {
    const args = ['serving', requests, '--autoscalers', 'fixed-peak,reactive', '--balancers', 'round-robin,consistent-hash', '--no-plan', '--json'];
    const a = await runPenny(args);
    const b = await runPenny(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    expect(j.format).toBe('csv');
    expect(j.results).toHaveLength(4);
    expect(j.plan).toBeNull();
    for (const x of j.results) {
      expect(x.served + x.dropped.total).toBe(j.workload.requests);
      expect(x.tokens.served + x.tokens.dropped).toBe(x.tokens.asked);
      expect(x.costUsd.total).toMatch(/^\d+\.\d{6}$/);
      expect(x.checks).toEqual({ requestsConserved: true, tokensConserved: true });
    }
    const ch = j.results.find((x: { balancer: string }) => x.balancer === 'consistent-hash');
    const rr = j.results.find((x: { balancer: string; autoscaler: string }) => x.balancer === 'round-robin' && x.autoscaler === ch.autoscaler);
    expect(ch.adapterHitRate).toBeGreaterThan(rr.adapterHitRate);
  }, 120_000);

  it('refuses a --hedge that is neither zones nor a whole number, and a zone price that is not positive, with exit 2', async () => {
    const h = await runPenny(['serving', requests, '--hedge', 'lots']);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/--hedge must be zones or a whole number/);
    const p = await runPenny(['serving', requests, '--spot-trace', `${join(dir, 'spot.json')}@0`]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/positive decimal/);
    // Spot options without a spot trace ran as if absent.
    const offset = await runPenny(['serving', requests, '--spot-offset', '1h', '--hedge', '2']);
    expect(offset.code).toBe(2);
    expect(offset.stderr).toMatch(/--spot-offset, --hedge need a spot trace \(--spot-trace FILE\)/);
    // Past these the plan's costs overflowed the solver: exit 1 with "cost Infinity is not finite".
    for (const args of [['--on-demand-price', '1e400'], ['--on-demand-price', `1${'0'.repeat(400)}`], ['--interval', '99999999999'], ['--interval', '2d']]) {
      const r = await runPenny(['serving', requests, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(args[0] === '--interval' ? /--interval must be from 1 s to 1 day/ : /--on-demand-price must be a positive decimal below 1,000,000,000/);
    }
  });

  it('names a missing column, a negative token count with its line, and exits 2', async () => {
    const f = join(dir, 'missing.csv');
    writeFileSync(f, 'time,context_tokens\n2026-01-01T00:00:00Z,10\n');
    const r = await runPenny(['serving', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing column generated');
    const g = join(dir, 'negative.csv');
    writeFileSync(g, 'time,context_tokens,generated_tokens\n2026-01-01T00:00:00Z,10,5\n2026-01-01T00:00:01Z,-3,5\n');
    const s = await runPenny(['serving', g]);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain(`${g}:3`);
    expect(s.stderr).toContain('context_tokens');
    expect(s.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('explains an SLO that no replica can meet, exit 2', async () => {
    const r = await runPenny(['serving', requests, '--gpu', 'L4', '--slo-ttft', '100ms', '--no-plan']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no llama-3-8b replica on 1 × L4 can meet TTFT ≤ 0.1 s/);
    expect(r.stderr).toContain('To fix:');
  });

  it('says a trace whose requests all arrive at one instant has no rate, rather than 0.00 req/s', async () => {
    const f = join(dir, 'burst.csv');
    writeFileSync(f, ['time,context_tokens,generated_tokens', ...Array.from({ length: 20 }, () => '2026-01-01T00:00:00Z,200,20')].join('\n') + '\n');
    const r = await runPenny(['serving', f, '--no-plan']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('20 requests all at one instant (no rate)');
    expect(r.stdout).not.toMatch(/0\.00 req\/s/);
  });

  it('runs a text-to-image trace on a profile the user measured (--profiles)', async () => {
    const t2i = join(dir, 't2i.csv');
    const rng = seededRng(3);
    const lines = ['gmt_create,model_id,lora_num,inference_steps,execution_time'];
    for (let t = 0, i = 0; i < 600; i++) {
      t += -Math.log(1 - rng.next()) / 0.5;
      lines.push(`${new Date(Date.UTC(2025, 2, 1) + t * 1000).toISOString()},ckpt-${Math.floor(rng.next() ** 2 * 6)},${rng.int(3)},${20 + rng.int(11)},3.2`);
    }
    writeFileSync(t2i, lines.join('\n') + '\n');
    const profiles = join(dir, 'profiles.csv');
    writeFileSync(profiles, 'model,gpu,gpus_per_replica,prefill_tokens_per_s,decode_step_base_ms,decode_step_per_kv_token_us,kv_capacity_tokens,max_batch,startup_s,source\nsdxl,A10,1,1000000,60,0,100000,4,90,measured\n');
    const r = await runPenny(['serving', t2i, '--profiles', profiles, '--model', 'sdxl', '--gpu', 'A10', '--slo-ttft', '5s', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.format).toBe('alibaba-t2i');
    expect(j.profile).toMatchObject({ model: 'sdxl', gpu: 'A10', source: 'measured' });
    expect(j.workload.generatedTokens.mean).toBeGreaterThan(20);
    expect(j.plan.result.sloMet).toBe(true);
    const bad = await runPenny(['serving', t2i, '--profiles', profiles, '--model', 'sdxl', '--gpu', 'H100']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no profile for sdxl on H100');
  }, 120_000);

  const azure = sharedFile('azure-llm-2023/AzureLLMInferenceTrace_code.csv');
  const spot = sharedFile('spot-traces/availability/1-node/aws-02-15-2023/us-west-2a_v100_1.json');
  it.skipIf(!azure || !spot)('on the real Azure trace: the plan meets the SLO for less than fixed-for-peak on-demand', async () => {
    const r = await runPenny(['serving', azure!, '--spot-trace', spot!, '--spot-offset', '7800s', '--json'], { timeoutMs: 300_000 });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.workload.requests).toBe(8819);
    expect(j.results).toHaveLength(16);
    const base = j.results.find((x: { autoscaler: string; balancer: string }) => x.autoscaler === 'fixed-peak' && x.balancer === 'round-robin');
    expect(base.sloMet).toBe(true);
    expect(j.plan.result.sloMet).toBe(true);
    expect(j.plan.result.savingVsBaseline).toBeGreaterThan(0.3);
  }, 300_000);

  it('--save records the comparison as a serving run, once for the same inputs, readable back from the workspace', async () => {
    const ws = join(dir, 'ws');
    const args = ['-w', ws, 'serving', requests, '--autoscalers', 'fixed-peak', '--balancers', 'round-robin', '--no-plan', '--save'];
    const a = await runPenny([...args, '--json']);
    expect(a.code, a.stderr).toBe(0);
    const b = await runPenny(args);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/^recorded as serving run \S+/);
    const store = await openStore(ws);
    try {
      const runs = await store.listRuns('serving');
      expect(runs).toHaveLength(1);
      const run = await store.getRun(runs[0]!.id);
      expect(run!.result).toEqual(JSON.parse(a.stdout));
      expect(run!.summary).toMatchObject({ requests: JSON.parse(a.stdout).workload.requests, fixedPeakReplicas: JSON.parse(a.stdout).fixedPeakReplicas });
    } finally {
      await store.close();
    }
  }, 120_000);
});
