import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../core/planner/build.js';
import { Decimal } from '../../core/money.js';
import { LpBuilder, objectiveOf, violations } from '../../core/planner/lp.js';
import { independentBlocks, planCapacity } from '../../app/plan.js';
import { randomInstance } from '../../../test/fixtures/planner.js';
import { cbcAvailable, solveWithCbc } from './cbc.js';
import { HighsSolver, loadHighs } from './highs.js';
import { toLpFormat, toMpsFormat } from './lp-format.js';

const solver = new HighsSolver();
const hasCbc = await cbcAvailable();
if (!hasCbc) console.warn('skipping the CBC cross-checks: `cbc` is not on PATH (apt-get install coinor-cbc)');
const hasGlpk = spawnSync('glpsol', ['--version'], { stdio: 'ignore' }).error === undefined;
if (!hasGlpk) console.warn('skipping the GLPK cross-check: `glpsol` is not on PATH (apt-get install glpk-utils)');

function small() {
  const b = new LpBuilder('small');
  const x = b.addCol('x', 3, 0, Infinity, true);
  const y = b.addCol('y', 5, 0, 4, true);
  const z = b.addCol('z', 0.5, -2, 2, false);
  b.addRow('c1', [x, y, z], [2, 3.5, 1], 7.2, Infinity);
  b.addRow('c2', [x, z], [1, -1], -Infinity, 2);
  b.addRow('c3', [y, z], [1, 1], 1, 5);
  return b.m;
}

describe('HiGHS behind the Solver port', () => {
  it('solves a MILP and its relaxation, with duals for the LP', async () => {
    const mip = await solver.solve(small());
    expect(mip.status).toBe('optimal');
    // x = 1, y = 1, z = 1.7: 2 + 3.5 + 1.7 = 7.2; cost 3 + 5 + 0.85.
    expect(mip.objective).toBeCloseTo(8.85, 9);
    const lp = await solver.solve(small(), { relax: true });
    expect(lp.objective).toBeLessThanOrEqual(mip.objective);
    expect(lp.rowDuals).toHaveLength(3);
  });

  it('takes a node limit past 32 bits as no limit (was "setOptionValue failed", exit 1 on penny plan --max-nodes 99999999999)', async () => {
    const mip = await solver.solve(small(), { maxNodes: 99_999_999_999 });
    expect(mip.status).toBe('optimal');
    expect(mip.objective).toBeCloseTo(8.85, 9);
  });

  it('reads back its own LP and MPS exports to the same objective', async () => {
    const h = await loadHighs();
    const m = small();
    for (const [format, data] of [['lp', toLpFormat(m)], ['mps', new TextEncoder().encode(toMpsFormat(m))]] as const) {
      const obj = h.withModel({ format, data } as never, (model: { run(): void; getObjectiveValue(): number }) => {
        model.run();
        return model.getObjectiveValue();
      });
      expect(obj).toBeCloseTo(8.85, 9);
    }
  });

  it('starts from a given solution when it is feasible, and ignores it when it is not', async () => {
    // A planning instance and a deliberately poor but feasible plan: its optimum with one more
    // instance wherever quotas allow. With a 100% gap allowed HiGHS stops at an early incumbent:
    // from scratch, one far worse than the poor plan; given the plan, the plan or better.
    const m = buildModel(randomInstance(3, { periods: 5, offerings: 30, classes: 2, reserved: false })).model;
    const opt = await solver.solve(m, { mipRelGap: 1e-4 });
    const poor = Float64Array.from(opt.values);
    for (let j = 0; j < poor.length; j++) {
      if (!m.colInteger[j] || poor[j] === 0) continue;
      poor[j]! += 1;
      if (violations(m, poor).length) poor[j]! -= 1; // a quota or spot share forbids it
    }
    expect(violations(m, poor)).toEqual([]);
    const poorCost = objectiveOf(m, poor);
    expect(poorCost).toBeGreaterThan(opt.objective * 1.05);
    const fromScratch = await solver.solve(m, { mipRelGap: 1 });
    expect(fromScratch.objective).toBeGreaterThan(poorCost * 1.5);
    const started = await solver.solve(m, { mipRelGap: 1, start: poor });
    expect(started.objective).toBeLessThanOrEqual(poorCost + 1e-6);
    // Not feasible (nothing bought): ignored, and the solve reaches the same optimum as without it.
    const bad = await solver.solve(m, { mipRelGap: 1e-4, start: new Float64Array(m.colNames.length) });
    expect(bad.objective).toBeCloseTo(opt.objective, 6);
  });

  it('reports infeasible models as infeasible', async () => {
    const b = new LpBuilder('inf');
    const x = b.addCol('x', 1, 0, 1, true);
    b.addRow('r', [x], [1], 2, Infinity);
    expect((await solver.solve(b.m)).status).toBe('infeasible');
  });
});

describe('the exported planning model solves to the same objective in another solver', () => {
  const inputs = randomInstance(42, { periods: 3, offerings: 16, classes: 2, peak: 30 });
  const { model } = buildModel(inputs);

  it.skipIf(!hasCbc)('CBC on the MPS export', async () => {
    const ours = await solver.solve(model, { mipRelGap: 1e-9 });
    const cbc = await solveWithCbc(toMpsFormat(model), { mipRelGap: 1e-9, timeLimitS: 60 });
    expect(cbc.status).toBe('optimal');
    expect(cbc.objective).toBeCloseTo(ours.objective, 4);
  });

  it.skipIf(!hasGlpk)('GLPK on the LP export', async () => {
    const ours = await solver.solve(model, { mipRelGap: 1e-9 });
    const d = mkdtempSync(join(tmpdir(), 'penny-glpk-'));
    writeFileSync(join(d, 'm.lp'), toLpFormat(model));
    const out = spawnSync('glpsol', ['--lp', join(d, 'm.lp'), '--tmlim', '60', '-o', join(d, 'out.txt')], { encoding: 'utf8' });
    const obj = /Objective:\s+\S+\s*=\s*([-\d.eE+]+)/.exec(spawnSync('cat', [join(d, 'out.txt')], { encoding: 'utf8' }).stdout);
    expect(out.status).toBe(0);
    expect(Number(obj![1])).toBeCloseTo(ours.objective, 4);
  });
});

describe('a model too big for CBC whole is checked block by block', () => {
  // No reserved option and no budget: the periods are independent blocks of the whole model.
  const inputs = randomInstance(11, { periods: 4, offerings: 30, classes: 3, peak: 120, reserved: false });
  const whole = buildModel(inputs);
  const blocks = independentBlocks(inputs, whole.map)!;

  it('the blocks are the whole model cut apart: every column and row once, the same costs and bounds', () => {
    expect(blocks.length).toBe(whole.map.periodTypes.length);
    const cost = new Map(whole.model.colNames.map((n, j) => [n, whole.model.colCost[j]]));
    const rows = new Map(whole.model.rowNames.map((n, i) => [n, [whole.model.rowLower[i], whole.model.rowUpper[i]]]));
    const seenCols = new Set<string>();
    const seenRows = new Set<string>();
    for (const b of blocks) {
      b.colNames.forEach((n, j) => {
        expect(seenCols.has(n)).toBe(false);
        seenCols.add(n);
        expect(b.colCost[j]).toBe(cost.get(n));
      });
      b.rowNames.forEach((n, i) => {
        expect(seenRows.has(n)).toBe(false);
        seenRows.add(n);
        expect([b.rowLower[i], b.rowUpper[i]]).toEqual(rows.get(n));
      });
    }
    expect(seenCols.size).toBe(whole.model.colNames.length);
    expect(seenRows.size).toBe(whole.model.rowNames.length);
  });

  it('a budget couples the periods: no blocks', () => {
    const withBudget = { ...inputs, budgetUsd: new Decimal(1e9) };
    expect(independentBlocks(withBudget, buildModel(withBudget).map)).toBeUndefined();
  });

  it.skipIf(!hasCbc)('CBC solves the exported blocks to the whole model\'s optimum, and its solution satisfies the whole model', async () => {
    const ours = await solver.solve(whole.model, { mipRelGap: 1e-9, timeLimitS: 60 });
    expect(ours.status).toBe('optimal');
    const x = new Float64Array(whole.model.colNames.length);
    const index = new Map(whole.model.colNames.map((n, j) => [n, j]));
    let sum = 0;
    for (const b of blocks) {
      const r = await solveWithCbc(toMpsFormat(b), { mipRelGap: 1e-9, timeLimitS: 60, solution: true });
      expect(r.status).toBe('optimal');
      sum += r.objective;
      for (const [name, v] of r.values!) x[index.get(name)!] = v;
    }
    expect(violations(whole.model, x)).toEqual([]);
    expect(objectiveOf(whole.model, x)).toBeCloseTo(sum, 3);
    expect(sum).toBeCloseTo(ours.objective, 3);
  });
});

describe('CBC checks a plan against the exported file', () => {
  // Reserved offers couple the periods: the plan comes from Penny's decomposition, not one solve.
  const inputs = randomInstance(8, { periods: 8, offerings: 24, classes: 2, peak: 300 });

  it.skipIf(!hasCbc)("accepts Penny's plan as a start, at Penny's cost, and refuses one that covers nothing", async () => {
    const r = await planCapacity(inputs, solver, { mipRelGap: 0.005, timeLimitS: 60, explain: false });
    const mps = toMpsFormat(r.lp);
    const ok = await solveWithCbc(mps, { mipRelGap: 0.005, timeLimitS: 60, start: { names: r.lp.colNames, values: r.values } });
    expect(ok.startAccepted).toBe(true);
    expect(ok.status).toBe('optimal');
    // CBC may improve on the start, never worsen it; within the gap both proved.
    expect(ok.objective).toBeLessThanOrEqual(r.objective + 1e-6 * r.objective);
    expect(ok.objective).toBeGreaterThanOrEqual(r.bound - 1e-6 * r.objective);
    const none = await solveWithCbc(mps, { mipRelGap: 0.005, timeLimitS: 20, start: { names: r.lp.colNames, values: new Float64Array(r.values.length) } });
    expect(none.startAccepted).toBe(false);
  });
});
