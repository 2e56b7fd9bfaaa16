/**
 * COIN-OR CBC as an outside check: the exported MPS solved by another solver must give the same
 * objective. Used by tests and the benchmark; skipped where `cbc` is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function cbcAvailable(): Promise<boolean> {
  return spawnSync('cbc', ['-quit'], { stdio: 'ignore' }).error === undefined;
}

export interface CbcResult {
  status: 'optimal' | 'infeasible' | 'stopped' | 'error';
  objective: number;
  /** CBC's proved lower bound (its LP objective for a relaxation); NaN when it printed none. */
  bound: number;
  solveS: number;
  /** Column values by name, when asked for (`solution`): CBC prints only the nonzero ones. */
  values?: Map<string, number>;
  /** With `start`: did CBC find the start feasible in the model it read, and at what cost. */
  startAccepted?: boolean;
  startObjective?: number;
  output: string;
}

/**
 * Solve with CBC; `relax` solves only the LP relaxation (`initialSolve`). `start` gives CBC a
 * solution to begin from (CBC's mipStart): CBC fixes its integer values, solves for the
 * continuous ones and keeps it only if that is feasible in the model it read (`startAccepted`),
 * so a plan from another solver is checked against the exported file.
 */
export async function solveWithCbc(mps: string, opts: { mipRelGap?: number; timeLimitS?: number; relax?: boolean; solution?: boolean; start?: { names: readonly string[]; values: ArrayLike<number> } } = {}): Promise<CbcResult> {
  const dir = await mkdtemp(join(tmpdir(), 'penny-cbc-'));
  try {
    const file = join(dir, 'model.mps');
    await writeFile(file, mps);
    const startArgs: string[] = [];
    if (opts.start) {
      // CBC reads a start in the layout of its own solution files: index, name, value.
      const lines = ['start'];
      opts.start.names.forEach((n, j) => {
        const v = opts.start!.values[j]!;
        if (v !== 0) lines.push(`${j} ${n} ${v}`);
      });
      await writeFile(join(dir, 'start.txt'), lines.join('\n') + '\n');
      startArgs.push('mipStart', join(dir, 'start.txt'));
    }
    const args = [file, ...startArgs, ...(opts.mipRelGap !== undefined ? ['ratioGap', String(opts.mipRelGap)] : []), ...(opts.timeLimitS !== undefined ? ['seconds', String(opts.timeLimitS)] : []), opts.relax ? 'initialSolve' : 'solve', ...(opts.solution ? ['solu', join(dir, 'solution.txt')] : []), 'quit'];
    const t0 = performance.now();
    const output = await new Promise<string>((resolve, reject) => {
      const p = spawn('cbc', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('error', reject);
      p.on('close', () => resolve(out));
    });
    const solveS = (performance.now() - t0) / 1000;
    const obj = /Objective value:\s*([-\d.eE+]+)/.exec(output) ?? /Optimal - objective value\s*([-\d.eE+]+)/.exec(output);
    const status = /Result - Optimal solution found|Optimal - objective value/.test(output) ? 'optimal' : /infeasible/i.test(output) ? 'infeasible' : /Stopped/.test(output) ? 'stopped' : 'error';
    const objective = obj ? Number(obj[1]) : NaN;
    const lower = /Lower bound:\s*([-\d.eE+]+)/.exec(output);
    const bound = lower ? Number(lower[1]) : opts.relax && status === 'optimal' ? objective : NaN;
    let values: Map<string, number> | undefined;
    if (opts.solution && Number.isFinite(objective)) {
      values = new Map();
      // "   index name value reduced-cost", "**" in front of a column that breaks a bound.
      for (const line of (await readFile(join(dir, 'solution.txt'), 'utf8')).split('\n')) {
        const m = /^\s*(?:\*\*)?\s*\d+\s+(\S+)\s+(\S+)/.exec(line);
        if (m) values.set(m[1]!, Number(m[2]));
      }
    }
    const started = /MIPStart provided solution with cost\s*([-\d.eE+]+)/.exec(output);
    return { status, objective, bound, solveS, output, ...(values && { values }), ...(opts.start && { startAccepted: started !== null, ...(started && { startObjective: Number(started[1]) }) }) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
