/**
 * Writers for the two text formats every MILP solver reads: CPLEX LP (HiGHS, CBC, GLPK `--lp`)
 * and free MPS (CBC, GLPK `--freemps`). Numbers are written in their shortest round-trip form, so a
 * model read back is the same model, bit for bit.
 */
import type { LpModel } from '../../core/planner/lp.js';

// JavaScript's shortest round-trip form: parsed back, it is the same double.
const num = (x: number) => String(x);

function term(coef: number, name: string, first: boolean): string {
  const sign = coef < 0 ? '- ' : first ? '' : '+ ';
  const a = Math.abs(coef);
  return `${sign}${a === 1 ? '' : `${num(a)} `}${name}`;
}

/** Lines of at most ~200 characters: some LP readers cap line length. */
function wrapTerms(terms: string[], indent = ' '): string {
  const lines: string[] = [];
  let cur = indent;
  for (const t of terms) {
    if (cur.length + t.length > 200 && cur.trim()) {
      lines.push(cur);
      cur = indent;
    }
    cur += `${t} `;
  }
  lines.push(cur);
  return lines.map((l) => l.trimEnd()).join('\n');
}

export function toLpFormat(m: LpModel): string {
  const out: string[] = [`\\ ${m.name}`, 'Minimize'];
  const obj: string[] = [];
  for (let j = 0; j < m.colCost.length; j++) if (m.colCost[j] !== 0) obj.push(term(m.colCost[j]!, m.colNames[j]!, obj.length === 0));
  out.push(` obj: ${obj.length ? wrapTerms(obj, '').trimStart() : '0 ' + (m.colNames[0] ?? '')}`);
  out.push('Subject To');
  for (let i = 0; i < m.rowNames.length; i++) {
    const terms: string[] = [];
    for (let k = m.rowStarts[i]!; k < m.rowStarts[i + 1]!; k++) terms.push(term(m.rowValue[k]!, m.colNames[m.rowIndex[k]!]!, terms.length === 0));
    if (terms.length === 0) continue;
    const lo = m.rowLower[i]!;
    const up = m.rowUpper[i]!;
    const body = wrapTerms(terms, '').trimStart();
    if (lo === up) out.push(` ${m.rowNames[i]}: ${body} = ${num(lo)}`);
    else {
      if (Number.isFinite(lo) && Number.isFinite(up)) {
        out.push(` ${m.rowNames[i]}_lo: ${body} >= ${num(lo)}`);
        out.push(` ${m.rowNames[i]}_up: ${body} <= ${num(up)}`);
      } else if (Number.isFinite(lo)) out.push(` ${m.rowNames[i]}: ${body} >= ${num(lo)}`);
      else if (Number.isFinite(up)) out.push(` ${m.rowNames[i]}: ${body} <= ${num(up)}`);
    }
  }
  out.push('Bounds');
  for (let j = 0; j < m.colNames.length; j++) {
    const lo = m.colLower[j]!;
    const up = m.colUpper[j]!;
    const n = m.colNames[j]!;
    if (lo === 0 && up === Infinity) continue;
    if (lo === -Infinity && up === Infinity) out.push(` ${n} free`);
    else if (lo === up) out.push(` ${n} = ${num(lo)}`);
    else out.push(` ${Number.isFinite(lo) ? num(lo) : '-inf'} <= ${n} <= ${Number.isFinite(up) ? num(up) : 'inf'}`);
  }
  const ints = m.colNames.filter((_, j) => m.colInteger[j]);
  if (ints.length) {
    out.push('General');
    out.push(wrapTerms(ints));
  }
  out.push('End', '');
  return out.join('\n');
}

export function toMpsFormat(m: LpModel): string {
  const out: string[] = [`NAME ${m.name.replace(/\s+/g, '_')}`, 'ROWS', ' N obj'];
  const rowType: string[] = [];
  const rhs: number[] = [];
  const ranges: (number | undefined)[] = [];
  for (let i = 0; i < m.rowNames.length; i++) {
    const lo = m.rowLower[i]!;
    const up = m.rowUpper[i]!;
    let t: string;
    let r: number | undefined;
    if (lo === up) {
      t = 'E';
      rhs.push(lo);
    } else if (Number.isFinite(lo) && Number.isFinite(up)) {
      t = 'G';
      rhs.push(lo);
      r = up - lo;
    } else if (Number.isFinite(lo)) {
      t = 'G';
      rhs.push(lo);
    } else if (Number.isFinite(up)) {
      t = 'L';
      rhs.push(up);
    } else {
      t = 'N';
      rhs.push(0);
    }
    rowType.push(t);
    ranges.push(r);
    out.push(` ${t} ${m.rowNames[i]}`);
  }
  // Columns in MPS are column-major: transpose the CSR rows once.
  const cols: [number, number][][] = m.colNames.map(() => []);
  for (let i = 0; i < m.rowNames.length; i++) for (let k = m.rowStarts[i]!; k < m.rowStarts[i + 1]!; k++) cols[m.rowIndex[k]!]!.push([i, m.rowValue[k]!]);
  out.push('COLUMNS');
  let inInt = false;
  for (let j = 0; j < m.colNames.length; j++) {
    const int = m.colInteger[j]!;
    if (int !== inInt) {
      out.push(`    MARKER 'MARKER' ${int ? "'INTORG'" : "'INTEND'"}`);
      inInt = int;
    }
    const n = m.colNames[j]!;
    if (m.colCost[j] !== 0 || cols[j]!.length === 0) out.push(`    ${n} obj ${num(m.colCost[j]!)}`);
    for (const [i, v] of cols[j]!) out.push(`    ${n} ${m.rowNames[i]} ${num(v)}`);
  }
  if (inInt) out.push("    MARKER 'MARKER' 'INTEND'");
  out.push('RHS');
  for (let i = 0; i < m.rowNames.length; i++) if (rhs[i] !== 0) out.push(`    RHS ${m.rowNames[i]} ${num(rhs[i]!)}`);
  if (ranges.some((r) => r !== undefined)) {
    out.push('RANGES');
    for (let i = 0; i < m.rowNames.length; i++) if (ranges[i] !== undefined) out.push(`    RNG ${m.rowNames[i]} ${num(ranges[i]!)}`);
  }
  out.push('BOUNDS');
  for (let j = 0; j < m.colNames.length; j++) {
    const lo = m.colLower[j]!;
    const up = m.colUpper[j]!;
    const n = m.colNames[j]!;
    const int = m.colInteger[j]!;
    if (lo === -Infinity && up === Infinity) {
      out.push(` FR BND ${n}`);
      continue;
    }
    if (lo === up) {
      out.push(` FX BND ${n} ${num(lo)}`);
      continue;
    }
    if (lo !== 0) out.push(lo === -Infinity ? ` MI BND ${n}` : ` LO BND ${n} ${num(lo)}`);
    // An integer column with no upper bound would be read as binary by some MPS readers: say PL.
    if (up !== Infinity) out.push(` UP BND ${n} ${num(up)}`);
    else if (int) out.push(` PL BND ${n}`);
  }
  out.push('ENDATA', '');
  return out.join('\n');
}
