import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPenny } from './cli.js';
import { sharedFile } from './shared-data.js';

describe('penny simulate', () => {
  it('compares policies side by side on the example cluster', async () => {
    const r = await runPenny(['simulate', 'examples/sim/cloud.yaml', '--trace', 'examples/sim/jobs.csv', '--compare', 'fifo,sjf,backfill,best-fit,perf-cost']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const p of ['fifo', 'sjf', 'backfill', 'best-fit', 'perf-cost']) expect(r.stdout).toMatch(new RegExp(`^${p}\\s+\\$`, 'm'));
    expect(r.stdout).toContain('Checks: every job accounted for');
  });

  it('prints exact JSON per policy, identical on every run', async () => {
    const args = ['simulate', 'examples/sim/cloud.yaml', '--trace', 'examples/sim/jobs.csv', '--policy', 'random-fit', '--seed', '3', '--json'];
    const a = await runPenny(args);
    const b = await runPenny(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    expect(j.mode).toBe('replay');
    expect(j.policies).toHaveLength(1);
    expect(j.policies[0].cost.total).toMatch(/^\d+(\.\d+)?$/);
    expect(j.policies[0].checks).toMatchObject({ jobsConserved: true, gpuSecondsBalance: true, noEarlyStart: true });
    expect(j.policies[0].jobs.total).toBe(300);
  });

  it('says what is wrong with a bad scenario, with file and line, and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'penny-sim-cli-'));
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'name: x\ncurrency: USD\npools:\n  - name: a\n    gpusPerNode: 8\n    cpuMilli: 1000\n    memoryMib: 1000\n    pricing: rented\n    pricePerNodeHour: 1\n    nodes: 1\n');
    const r = await runPenny(['simulate', f, '--trace', 'examples/sim/jobs.csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:8`);
    expect(r.stderr).toContain('pools[0].pricing');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses an unknown policy and lists the known ones', async () => {
    const r = await runPenny(['simulate', 'examples/sim/cloud.yaml', '--trace', 'examples/sim/jobs.csv', '--policy', 'lottery']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown policy "lottery"');
    expect(r.stderr).toContain('deadline-aware');
  });

  it('compares at least five policies on the real Alibaba trace (pods + GPU nodes)', async () => {
    const pods = sharedFile('alibaba-gpu-v2023/openb_pod_list_gpushare40.csv');
    const nodes = sharedFile('alibaba-gpu-v2023/openb_node_list_gpu_node.csv');
    if (!pods || !nodes) return;
    const r = await runPenny(['simulate', 'examples/sim/alibaba.yaml', '--trace', pods, '--nodes', nodes, '--compare', 'fifo,priority,backfill,best-fit,least-loaded,fgd', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.policies.map((p: { policy: string }) => p.policy)).toEqual(['fifo', 'priority', 'backfill', 'best-fit', 'least-loaded', 'fgd']);
    for (const p of j.policies) {
      expect(p.jobs.total).toBe(8152);
      expect(p.checks.jobsConserved && p.checks.gpuSecondsBalance).toBe(true);
    }
  });

  it('fill mode on a real pod list without times reports unplaced GPU demand per policy', async () => {
    const pods = sharedFile('alibaba-gpu-v2023/openb_pod_list_multigpu20.csv');
    const nodes = sharedFile('alibaba-gpu-v2023/openb_node_list_gpu_node.csv');
    if (!pods || !nodes) return;
    const r = await runPenny(['simulate', 'examples/sim/alibaba.yaml', '--trace', pods, '--nodes', nodes]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fill mode');
    for (const p of ['best-fit', 'dot-product', 'gpu-packing', 'random-fit', 'fgd']) expect(r.stdout).toMatch(new RegExp(`^${p}\\s+\\d`, 'm'));
    expect(r.stdout).toContain('pods in list order');
  });

  it('fill mode with --shuffle: FGD strands less GPU capacity than best-fit on the real lists, as in the ATC\'23 paper', async () => {
    const nodes = sharedFile('alibaba-gpu-v2023/openb_node_list_gpu_node.csv');
    for (const list of ['multigpu20', 'gpushare40']) {
      const pods = sharedFile(`alibaba-gpu-v2023/openb_pod_list_${list}.csv`);
      if (!pods || !nodes) return;
      const r = await runPenny(['simulate', 'examples/sim/alibaba.yaml', '--trace', pods, '--nodes', nodes, '--shuffle', '--compare', 'best-fit,fgd', '--json']);
      expect(r.code).toBe(0);
      const [bf, fgd] = JSON.parse(r.stdout).policies;
      expect(bf.order).toBe('shuffled');
      expect(bf.seed).toBe(42);
      expect(bf.arrivedGpus).toBe(fgd.arrivedGpus);
      expect(fgd.unplacedShare).toBeLessThan(bf.unplacedShare);
    }
  });

  const noTraces = !sharedFile('spot-traces/availability/1-node/aws-02-15-2023/us-east-2a_v100_1.json');
  it.skipIf(noTraces)('spot: cost and deadline misses for always-spot, always-on-demand and the deadline-aware rule (skipped without ../shared/data/spot-traces)', async () => {
    const r = await runPenny(['simulate', 'examples/sim/spot.yaml', '--trace', 'examples/sim/spot-jobs.csv', '--json']);
    expect(r.code).toBe(0);
    const byName = Object.fromEntries(JSON.parse(r.stdout).policies.map((p: { policy: string }) => [p.policy, p]));
    expect(Object.keys(byName)).toEqual(['always-spot', 'always-on-demand', 'greedy', 'deadline-aware', 'slack-reserve', 'spot-hazard']);
    expect(byName['deadline-aware'].jobs.deadlineMisses).toBe(0);
    expect(byName['greedy'].jobs.deadlineMisses).toBe(0);
    expect(byName['slack-reserve'].jobs.deadlineMisses).toBe(0);
    expect(byName['spot-hazard'].jobs.deadlineMisses).toBe(0);
    const total = (n: string) => Number(byName[n].cost.total);
    expect(byName['always-on-demand'].jobs.deadlineMisses).toBe(0);
    expect(byName['deadline-aware'].jobs.deadlineMisses).toBeLessThanOrEqual(byName['always-spot'].jobs.deadlineMisses);
    expect(total('deadline-aware')).toBeLessThan(total('always-on-demand'));
    expect(total('always-spot')).toBeLessThan(total('deadline-aware'));
    // The perfect-foresight bound beside them: below every policy that meets every deadline.
    const json = JSON.parse(r.stdout);
    expect(json.reference.jobs).toBe(40);
    expect(json.reference.baseline).toBe('always-on-demand');
    for (const n of ['always-on-demand', 'greedy', 'deadline-aware', 'slack-reserve', 'spot-hazard']) expect(total(n)).toBeGreaterThan(Number(json.reference.cost));
    expect(byName['always-on-demand'].vsReference.capturedShare).toBe(0);
    for (const n of ['greedy', 'deadline-aware', 'slack-reserve', 'spot-hazard']) {
      expect(byName[n].vsReference.capturedShare).toBeGreaterThan(0.5);
      expect(byName[n].vsReference.capturedShare).toBeLessThan(1);
    }
    const text = await runPenny(['simulate', 'examples/sim/spot.yaml', '--trace', 'examples/sim/spot-jobs.csv']);
    expect(text.stdout).toContain('Perfect-foresight reference');
    expect(text.stdout).toMatch(/always-spot .*— \(17 missed\)/);
  });

  it.skipIf(noTraces)('spot in two zones: the perfect-foresight bound over both zones, below every rule that meets its deadlines (skipped without ../shared/data/spot-traces)', async () => {
    const [one, two] = await Promise.all([
      runPenny(['simulate', 'examples/sim/spot.yaml', '--trace', 'examples/sim/spot-jobs.csv', '--compare', 'always-on-demand,slack-reserve', '--json']),
      runPenny(['simulate', 'examples/sim/spot-zones.yaml', '--trace', 'examples/sim/spot-jobs.csv', '--compare', 'always-on-demand,slack-reserve', '--json']),
    ]);
    expect(two.code, two.stderr).toBe(0);
    const a = JSON.parse(one.stdout);
    const b = JSON.parse(two.stdout);
    expect(b.reference.jobs).toBe(40);
    // A second zone can only lower the bound (the job may use either), and no rule beats it.
    expect(Number(b.reference.cost)).toBeLessThan(Number(a.reference.cost));
    for (const p of b.policies) {
      expect(p.jobs.deadlineMisses).toBe(0);
      expect(Number(p.cost.total)).toBeGreaterThan(Number(b.reference.cost));
    }
    expect(b.policies[1].vsReference.capturedShare).toBeGreaterThan(0.5);
  });

  describe('input that cannot be simulated as given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'penny-sim-input-'));
    const w = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };

    it('a trace file that is not there: its path and exit 2, no raw ENOENT', async () => {
      const r = await runPenny(['simulate', 'examples/sim/cloud.yaml', '--trace', join(dir, 'missing.csv')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${join(dir, 'missing.csv')}: no such file or folder`);
      expect(r.stderr).not.toMatch(/ENOENT/);
    });

    it('a pod list with one time column of the two is refused rather than filled', async () => {
      const pods = w('pods.csv', 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,creation_time\na,1000,1024,1,1000,0\n');
      const r = await runPenny(['simulate', 'examples/sim/cloud.yaml', '--trace', pods]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/has creation_time but no deletion_time/);
    });

    it('fill mode on a cluster without GPUs says so instead of "Allocated NaN%"', async () => {
      const cpuOnly = w('cpu.yaml', 'name: cpu-only\ncurrency: USD\npools:\n  - name: cpu\n    gpusPerNode: 0\n    cpuMilli: 64000\n    memoryMib: 262144\n    pricing: on-demand\n    pricePerNodeHour: 2\n    nodes: 2\n');
      const pods = w('fill.csv', 'name,cpu_milli,memory_mib,num_gpu,gpu_milli\na,1000,1024,1,1000\nb,1000,1024,0,0\n');
      const r = await runPenny(['simulate', cpuOnly, '--trace', pods]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/NaN/);
      expect(r.stdout).toMatch(/the cluster has no GPUs/);
    });

    it('a replay too light to rank policies says so', async () => {
      const light = w('light.csv', 'id,arrival,gpus,gpu_milli,gpu_type,cpu_milli,memory_mib,work_s,priority,deadline\nj1,0,1,1000,,8000,65536,600,1,\nj2,3600,1,1000,,8000,65536,600,1,\n');
      const r = await runPenny(['simulate', 'examples/sim/cloud.yaml', '--trace', light, '--compare', 'fifo,best-fit']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/this comparison does not rank the policies/);
      const busy = await runPenny(['simulate', 'examples/sim/cloud.yaml', '--trace', 'examples/sim/jobs.csv', '--compare', 'fifo,best-fit']);
      expect(busy.stdout).not.toMatch(/does not rank/);
    });
  });
});
