/**
 * The workspace: everything a use case may touch, built once by the composition root (main.ts for
 * the CLI and the server it starts) and passed down. Adapters never build stores or solvers
 * themselves; they take them from here, so a driver, a solver or a clock is swapped in one place.
 */
import type { BillingStore } from './billing-ports.js';
import type { Clock, Solver, Store } from './ports.js';
import type { RollupStore } from './compact.js';
import type { TelemetryStore } from './telemetry-ports.js';

/** What a MIP solver reports while it works (HiGHS's MIP logging callback gives these). */
export interface SolverProgress {
  gap?: number;
  primalBound?: number;
  dualBound?: number;
  nodes?: number;
  runningTimeS?: number;
}

/** Build a solver; `onProgress` receives its progress while it solves. */
export type SolverFactory = (onProgress?: (p: SolverProgress) => void) => Solver;

export interface Workspace {
  /** `duckdb` or `postgres`. */
  readonly driver: string;
  /** Scenarios, cost reports and recorded runs. */
  readonly store: Store;
  /** Ingested bills (FOCUS rows, files, slices) and budgets' data. */
  readonly billing: BillingStore;
  /** GPU telemetry samples. */
  readonly telemetry: TelemetryStore;
  /** Roll-ups of old telemetry (`penny gpu compact`); absent where a workspace keeps none. */
  readonly telemetryRollups?: RollupStore;
  readonly clock: Clock;
  readonly solver: SolverFactory;
  /**
   * Run writes to several stores as one transaction: every store of `tx` writes through it, and an
   * error rolls all of them back. Concurrent callers are queued, never share a transaction.
   */
  transaction<T>(fn: (tx: Workspace) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A solver that loads its implementation on first use: commands that never solve (and
 * `penny --help`) do not pay for loading the solver's WebAssembly.
 */
export function deferredSolver(name: string, load: () => Promise<Solver>): Solver {
  let loaded: Promise<Solver> | undefined;
  return {
    name,
    solve: async (model, opts) => (await (loaded ??= load())).solve(model, opts),
  };
}
