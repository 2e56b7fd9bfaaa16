/**
 * A linear (mixed-integer) model as plain data: columns with bounds, cost and integrality; rows as
 * a sparse matrix in CSR with lower/upper bounds. The planner builds one; any Solver solves it;
 * the LP and MPS writers export it for other solvers (CBC, GLPK). Minimisation always.
 */
export interface LpModel {
  name: string;
  colNames: string[];
  colCost: number[];
  colLower: number[];
  colUpper: number[];
  colInteger: boolean[];
  rowNames: string[];
  rowLower: number[];
  rowUpper: number[];
  /** CSR: row i's entries are rowIndex/rowValue[rowStarts[i] .. rowStarts[i+1]). */
  rowStarts: number[];
  rowIndex: number[];
  rowValue: number[];
}

export class LpBuilder {
  readonly m: LpModel;
  constructor(name: string) {
    this.m = { name, colNames: [], colCost: [], colLower: [], colUpper: [], colInteger: [], rowNames: [], rowLower: [], rowUpper: [], rowStarts: [0], rowIndex: [], rowValue: [] };
  }
  addCol(name: string, cost: number, lower: number, upper: number, integer: boolean): number {
    if (!Number.isFinite(cost)) throw new RangeError(`column ${name}: cost ${cost} is not finite`);
    const m = this.m;
    m.colNames.push(name);
    m.colCost.push(cost);
    m.colLower.push(lower);
    m.colUpper.push(upper);
    m.colInteger.push(integer);
    return m.colNames.length - 1;
  }
  addRow(name: string, idx: number[], val: number[], lower: number, upper: number): number {
    const m = this.m;
    for (let k = 0; k < idx.length; k++) {
      if (val[k] === 0) continue;
      if (!Number.isFinite(val[k]!)) throw new RangeError(`row ${name}: coefficient ${val[k]} is not finite`);
      m.rowIndex.push(idx[k]!);
      m.rowValue.push(val[k]!);
    }
    m.rowStarts.push(m.rowIndex.length);
    m.rowNames.push(name);
    m.rowLower.push(lower);
    m.rowUpper.push(upper);
    return m.rowNames.length - 1;
  }
}

export function numCols(m: LpModel): number {
  return m.colNames.length;
}
export function numRows(m: LpModel): number {
  return m.rowNames.length;
}

/** Objective value of a column vector. */
export function objectiveOf(m: LpModel, x: ArrayLike<number>): number {
  let z = 0;
  for (let j = 0; j < m.colCost.length; j++) z += m.colCost[j]! * x[j]!;
  return z;
}

/** Row activities A·x. */
export function activities(m: LpModel, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m.rowNames.length);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = m.rowStarts[i]!; k < m.rowStarts[i + 1]!; k++) s += m.rowValue[k]! * x[m.rowIndex[k]!]!;
    out[i] = s;
  }
  return out;
}

/**
 * What a column vector breaks in the model: bounds, integrality and rows, with a tolerance relative
 * to each row's bounds (solvers report values to about 1e-9; text exports round-trip exactly).
 * Empty when x is a solution. Used to check a solution another solver returned against our model.
 */
export function violations(m: LpModel, x: ArrayLike<number>, tol = 1e-6): string[] {
  const out: string[] = [];
  for (let j = 0; j < m.colNames.length; j++) {
    const v = x[j]!;
    if (v < m.colLower[j]! - tol || v > m.colUpper[j]! + tol) out.push(`${m.colNames[j]} = ${v} outside [${m.colLower[j]}, ${m.colUpper[j]}]`);
    else if (m.colInteger[j] && Math.abs(v - Math.round(v)) > tol) out.push(`${m.colNames[j]} = ${v} is not integer`);
  }
  const act = activities(m, x);
  for (let i = 0; i < act.length; i++) {
    const t = tol * Math.max(1, Math.abs(m.rowLower[i]!) < Infinity ? Math.abs(m.rowLower[i]!) : 0, Math.abs(m.rowUpper[i]!) < Infinity ? Math.abs(m.rowUpper[i]!) : 0);
    if (act[i]! < m.rowLower[i]! - t || act[i]! > m.rowUpper[i]! + t) out.push(`${m.rowNames[i]}: ${act[i]} outside [${m.rowLower[i]}, ${m.rowUpper[i]}]`);
  }
  return out;
}

/** A shallow copy with some row bounds replaced (for re-solves that relax a constraint family). */
export function withRowBounds(m: LpModel, rows: number[], lower: (i: number) => number, upper: (i: number) => number): LpModel {
  const rowLower = m.rowLower.slice();
  const rowUpper = m.rowUpper.slice();
  for (const i of rows) {
    rowLower[i] = lower(i);
    rowUpper[i] = upper(i);
  }
  return { ...m, rowLower, rowUpper };
}
