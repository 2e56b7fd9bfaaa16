/**
 * HiGHS (WebAssembly, the `highs` package) behind the Solver port. The runtime is loaded once per
 * process; each solve gets its own native model, disposed afterwards (Wasm memory is not
 * garbage-collected). The model goes in as CSR arrays, not LP text: no parsing, and names stay
 * ours.
 */
import highsModule from 'highs';
import type { LpModel } from '../../core/planner/lp.js';
import type { SolveOptions, SolveResult, Solver, SolveStatus } from '../../app/ports.js';
import type { SolverFactory, SolverProgress } from '../../app/workspace.js';

/** HiGHS's options are 32-bit integers: a larger node limit is refused ("setOptionValue failed"); it means no limit. */
const HIGHS_INT_MAX = 2_147_483_647;

// The package is CommonJS-typed but loads as ESM under Node: take the loader from either shape.
type Loader = (typeof import('highs'))['default'];
const highsLoader = ((highsModule as unknown as { default?: Loader }).default ?? highsModule) as unknown as Loader;
type HighsRuntime = Awaited<ReturnType<Loader>>;
let runtime: Promise<HighsRuntime> | undefined;

export function loadHighs(): Promise<HighsRuntime> {
  runtime ??= highsLoader();
  return runtime;
}

export type { SolverProgress };

export class HighsSolver implements Solver {
  readonly name = 'HiGHS (WebAssembly)';

  /** `onProgress` hears HiGHS's MIP progress during each solve (synchronously, from inside it). */
  constructor(private readonly onProgress?: (p: SolverProgress) => void) {}

  async solve(m: LpModel, opts: SolveOptions = {}): Promise<SolveResult> {
    const h = await loadHighs();
    const inf = h.infinity;
    const fix = (a: number[]) => Float64Array.from(a, (v) => (v === Infinity ? inf : v === -Infinity ? -inf : v));
    const n = m.colNames.length;
    const started = performance.now();
    if (n === 0) {
      // No columns: every row's activity is 0, so the model is feasible iff 0 is within each row.
      const ok = m.rowLower.every((lo, i) => lo <= 1e-9 && m.rowUpper[i]! >= -1e-9);
      return { status: ok ? 'optimal' : 'infeasible', objective: ok ? 0 : NaN, values: new Float64Array(0), bound: 0, gap: 0, solveS: 0 };
    }
    const data = {
      numCols: n,
      numRows: m.rowNames.length,
      colCost: Float64Array.from(m.colCost),
      colLower: fix(m.colLower),
      colUpper: fix(m.colUpper),
      rowLower: fix(m.rowLower),
      rowUpper: fix(m.rowUpper),
      matrix: { format: 'csr' as const, numRows: m.rowNames.length, numCols: n, starts: Int32Array.from(m.rowStarts), indices: Int32Array.from(m.rowIndex), values: Float64Array.from(m.rowValue) },
      ...(!opts.relax && m.colInteger.some(Boolean) && { integrality: Int32Array.from(m.colInteger, (b) => (b ? 1 : 0)) }),
    };
    const model = h.createModel(data as never);
    try {
      model.options.set({
        output_flag: false,
        random_seed: 1,
        ...(opts.mipRelGap !== undefined && { mip_rel_gap: opts.mipRelGap }),
        ...(opts.maxNodes !== undefined && !opts.relax && { mip_max_nodes: Math.min(HIGHS_INT_MAX, Math.max(1, Math.floor(opts.maxNodes))) }),
        ...(opts.timeLimitS !== undefined && { time_limit: opts.timeLimitS }),
      });
      // HiGHS checks the start itself and keeps it only if it is feasible (and integral) in the model.
      if (opts.start && !opts.relax && opts.start.length === n) model.setSolution({ colValue: Float64Array.from(opts.start) } as never);
      const report = this.onProgress;
      if (report) {
        model.run({
          [h.constants.callbackType.mipLogging]: (e: { data: { mip_gap?: number; mip_primal_bound?: number; mip_dual_bound?: number; mip_node_count?: bigint; running_time?: number } }) => {
            const d = e.data;
            report({ gap: d.mip_gap, primalBound: d.mip_primal_bound, dualBound: d.mip_dual_bound, nodes: d.mip_node_count === undefined ? undefined : Number(d.mip_node_count), runningTimeS: d.running_time });
            return undefined;
          },
        } as never);
      } else model.run();
      const code = model.getModelStatus() as number;
      const S = h.constants.modelStatus as Record<string, number>;
      const isMip = !opts.relax && m.colInteger.some(Boolean);
      const info = (k: string): number | undefined => {
        try {
          const v = model.info.get(k as never) as unknown;
          return typeof v === 'bigint' ? Number(v) : (v as number | undefined);
        } catch {
          return undefined;
        }
      };
      const primalStatus = info('primal_solution_status') ?? 0;
      const hasSolution = primalStatus === 2;
      let status: SolveStatus;
      if (code === S.optimal) status = 'optimal';
      else if (code === S.infeasible) status = 'infeasible';
      else if (code === S.unbounded) status = 'unbounded';
      else if (code === S.unboundedOrInfeasible) status = 'infeasible';
      else if (code === S.modelError || code === S.loadError || code === S.solveError || code === S.presolveError || code === S.postsolveError) status = 'error';
      else status = hasSolution ? 'feasible' : 'no-solution';
      if (code === S.unboundedOrInfeasible) {
        // Presolve could not tell which: re-solve without presolve to know.
        model.options.set({ presolve: 'off' });
        model.run();
        const c2 = model.getModelStatus() as number;
        status = c2 === S.unbounded ? 'unbounded' : 'infeasible';
      }
      const sol = (hasSolution || status === 'optimal') && status !== 'unbounded' ? model.getSolution() : undefined;
      const objective = sol ? model.getObjectiveValue() : NaN;
      const bound = isMip ? (info('mip_dual_bound') ?? NaN) : objective;
      const gap = isMip ? (info('mip_gap') ?? NaN) : status === 'optimal' ? 0 : NaN;
      const values = sol ? Float64Array.from(sol.colValue) : new Float64Array(0);
      const nodes = isMip ? (info('mip_node_count') ?? 0) : 0;
      // HiGHS reports a node limit as "solution limit" (the family of MIP work limits).
      const limit = code === S.timeLimit ? ('time' as const) : code === S.solutionLimit || code === S.iterationLimit ? ('nodes' as const) : undefined;
      // Clean the solver's round-off (an integer column at -1.8e-14, a bound missed by 1e-12): a
      // plan exported or handed to another solver then holds exact integers within its bounds.
      for (let j = 0; j < values.length; j++) {
        let v = values[j]!;
        if (isMip && m.colInteger[j] && Math.abs(v - Math.round(v)) <= 1e-6) v = Math.round(v);
        if (v < m.colLower[j]! && v > m.colLower[j]! - 1e-6) v = m.colLower[j]!;
        if (v > m.colUpper[j]! && v < m.colUpper[j]! + 1e-6) v = m.colUpper[j]!;
        values[j] = v === 0 ? 0 : v;
      }
      return {
        status,
        objective,
        values,
        ...(sol && !isMip && { rowDuals: Float64Array.from(sol.rowDual) }),
        bound,
        gap: Number.isFinite(gap) ? Math.max(0, gap) : gap,
        solveS: (performance.now() - started) / 1000,
        nodes,
        ...(limit && { limit }),
      };
    } finally {
      model.dispose();
    }
  }
}

/** HiGHS as the workspace's solver factory. */
export const highsSolver: SolverFactory = (onProgress) => new HighsSolver(onProgress);
