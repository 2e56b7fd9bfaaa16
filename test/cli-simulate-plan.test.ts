import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPenny } from './cli.js';

describe('penny simulate --plan', () => {
  // The whole path: penny plan makes a plan, penny simulate plays it against a job trace.
  it('plays a plan from penny plan against a trace and says whether it holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'penny-sim-plan-'));
    const p = await runPenny(['plan', 'examples/sim/plan-small.yaml', '--json', '--no-explain']);
    expect(p.code).toBe(0);
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, p.stdout);
    // Without a spot trace (the example's is in ../shared/data), spot lines are never preempted.
    const scen = join(dir, 'check.yaml');
    writeFileSync(scen, 'name: check\ncurrency: USD\nfromPlan:\n  provisioningDelayS: 120\n  idleTimeoutS: 300\n');
    const r = await runPenny(['simulate', scen, '--plan', planFile, '--trace', 'examples/sim/plan-jobs.csv', '--compare', 'always-on-demand,greedy', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const plan = JSON.parse(p.stdout);
    expect(j.pools.length).toBe(plan.plan.filter((l: { gpuCount: number }) => l.gpuCount > 0).length);
    expect(j.plan.horizonS).toBe(plan.periods * plan.periodHours * 3600);
    for (const c of j.plan.checks) {
      expect(c.planUsd).toBe(plan.totalUsd);
      expect(c.jobs).toBe(36);
      expect(c.finished + c.unfinished + c.unschedulable).toBe(36);
      expect(c.holds).toBe(c.unfinished === 0 && c.late === 0 && c.unschedulable === 0);
    }
    const text = await runPenny(['simulate', scen, '--plan', planFile, '--trace', 'examples/sim/plan-jobs.csv', '--policy', 'always-on-demand']);
    expect(text.stdout).toMatch(/Plan "plan-small" \(8\.0 h\) played out on the trace/);
    // The plan's own total in the Plan column (the built-in catalog's prices decide its size).
    const planUsd = Number(plan.totalUsd).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(text.stdout).toMatch(new RegExp(`always-on-demand\\s+\\$${planUsd.replace(/[.,]/g, '\\$&')}\\s+\\$\\d`));
  });
});
