/**
 * Ports: what the use cases need from the outside world. Adapters implement them; main.ts wires
 * one implementation of each into the app. Nothing here does I/O itself.
 */
import type { CostReport } from '../core/cost/tco.js';
import type { Scenario } from '../core/model/scenario.js';

/** Wall-clock time, passed in so use cases stay testable. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Long work reports progress through this; the CLI draws a bar, HTTP streams events, tests count. */
export interface Progress {
  start(total: number, label: string): void;
  tick(done: number): void;
  finish(): void;
  /** Say what is happening now without restarting the count (optional: a bar may ignore it). */
  note?(label: string): void;
}

export const silentProgress: Progress = { start() {}, tick() {}, finish() {} };

export interface ScenarioRecord {
  id: string;
  name: string;
  /** sha256 of the canonical JSON of the validated scenario: the same scenario is stored once. */
  contentHash: string;
  source: string;
  createdAt: string;
  scenario: unknown;
}

export interface CostReportRecord {
  id: string;
  scenarioId: string;
  scenarioName: string;
  currency: string;
  total: string;
  createdAt: string;
  report: unknown;
}

/** A recorded run: a plan, a forecast or a simulation, kept as the decision record it is. */
export interface RunRecord {
  id: string;
  kind: 'plan' | 'forecast' | 'simulation' | string;
  name: string;
  /** Hash of the inputs: recording the same run twice keeps one record. */
  inputHash: string;
  summary: Record<string, unknown>;
  result: unknown;
  createdAt: string;
}

/**
 * The store. One interface, thin drivers (DuckDB now, PostgreSQL later), one test suite run
 * against each driver. Every write method is atomic: it completes or leaves no trace.
 */
export interface Store {
  readonly driver: string;
  /** Run several writes as one transaction; an error rolls all of them back. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  schemaVersion(): Promise<number>;

  saveScenario(s: { name: string; source: string; scenario: Scenario; contentHash: string; createdAt: string }): Promise<{ id: string; created: boolean }>;
  listScenarios(): Promise<ScenarioRecord[]>;
  getScenario(nameOrId: string): Promise<ScenarioRecord | undefined>;

  saveCostReport(r: { scenarioId: string; report: CostReport; json: unknown; createdAt: string }): Promise<string>;
  latestCostReport(scenarioName?: string): Promise<CostReportRecord | undefined>;

  /** Record a run; the same kind and inputHash replaces the earlier record. */
  saveRun(r: Omit<RunRecord, 'id'>): Promise<string>;
  listRuns(kind?: string): Promise<Omit<RunRecord, 'result'>[]>;
  getRun(id: string): Promise<RunRecord | undefined>;

  close(): Promise<void>;
}

/** How a solve ended. `feasible`: a limit stopped it with a solution whose gap is not yet proved. */
export type SolveStatus = 'optimal' | 'feasible' | 'infeasible' | 'unbounded' | 'no-solution' | 'error';

export interface SolveOptions {
  /** Stop when the relative MIP gap is at most this (0.005 = 0.5%). */
  mipRelGap?: number;
  /**
   * Work limit: the most branch-and-bound nodes. It decides where a hard solve stops, so the same
   * model gives the same answer on any machine and under any load.
   */
  maxNodes?: number;
  /**
   * Wall-clock safety stop only (a solve that needs it did not finish its work limit in time); a
   * result it stopped is marked `limit: 'time'` and may differ on another machine.
   */
  timeLimitS?: number;
  /** Solve the LP relaxation (integrality ignored); row duals come back. */
  relax?: boolean;
  /**
   * A known solution (a value per column) to start from: a MIP solver that accepts it as its
   * first incumbent only has to prove it, or better it. A solver may ignore it.
   */
  start?: ArrayLike<number>;
}

export interface SolveResult {
  status: SolveStatus;
  /** Objective of the solution found (NaN when none). */
  objective: number;
  /** Column values, by column index (empty when no solution). */
  values: Float64Array;
  /** Row duals of an LP (relaxed) solve, by row index; absent for a MIP. */
  rowDuals?: Float64Array;
  /** Best proved lower bound (MIP dual bound; the objective for an LP). */
  bound: number;
  /** Relative gap proved: (objective − bound) / |objective|; 0 for an LP. */
  gap: number;
  solveS: number;
  /** Branch-and-bound nodes the solve used (0 for an LP). */
  nodes?: number;
  /** The limit that stopped the solve before its gap was proved, if one did. */
  limit?: 'nodes' | 'time';
  message?: string;
}

/** A MILP solver behind one interface: HiGHS (WebAssembly) today, any LP/MPS solver tomorrow. */
export interface Solver {
  readonly name: string;
  solve(model: import('../core/planner/lp.js').LpModel, opts?: SolveOptions): Promise<SolveResult>;
}
