/**
 * COIN-OR CBC as an outside check: the exported MPS solved by another solver must give the same
 * objective. Used by tests and the benchmark; skipped where `cbc` is not installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function cbcAvailable(): Promise<boolean> {
  return spawnSync('cbc', ['-quit'], { stdio: 'ignore' }).error === undefined;
}

export interface CbcResult {
  status: 'optimal' | 'infeasible' | 'stopped' | 'error';
  objective: number;
  solveS: number;
  output: string;
}

/** Solve with CBC; `relax` solves only the LP relaxation (`initialSolve`). */
export async function solveWithCbc(mps: string, opts: { mipRelGap?: number; timeLimitS?: number; relax?: boolean } = {}): Promise<CbcResult> {
  const dir = await mkdtemp(join(tmpdir(), 'penny-cbc-'));
  try {
    const file = join(dir, 'model.mps');
    await writeFile(file, mps);
    const args = [file, ...(opts.mipRelGap !== undefined ? ['ratioGap', String(opts.mipRelGap)] : []), ...(opts.timeLimitS !== undefined ? ['seconds', String(opts.timeLimitS)] : []), opts.relax ? 'initialSolve' : 'solve', 'quit'];
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
    return { status, objective: obj ? Number(obj[1]) : NaN, solveS, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
