/**
 * Spot availability as a step series: sample i covers [i·gapS, (i+1)·gapS) seconds from the
 * trace's start; a value > 0 means spot capacity was there (the value is how many instances).
 */
export interface SpotTrace {
  name: string;
  gapS: number;
  /** Available instances per sample (0 = unavailable). */
  available: number[];
}

/** Share of time spot was available over [fromS, toS). */
export function availabilityShare(t: SpotTrace, fromS = 0, toS = t.available.length * t.gapS): number {
  if (toS <= fromS) return 0;
  let up = 0;
  for (let i = Math.floor(fromS / t.gapS); i * t.gapS < toS && i < t.available.length; i++) {
    const a = Math.max(fromS, i * t.gapS);
    const b = Math.min(toS, (i + 1) * t.gapS);
    if (t.available[i]! > 0 && b > a) up += b - a;
  }
  return up / (toS - fromS);
}

/** Is spot available at time s? Beyond the trace's end the trace repeats (cyclic replay). */
export function availableAt(t: SpotTrace, s: number): boolean {
  const n = t.available.length;
  if (n === 0) return false;
  const i = ((Math.floor(s / t.gapS) % n) + n) % n;
  return t.available[i]! > 0;
}

/**
 * How a trace's values are read. `available`: the number of instances the probe could hold at that
 * tick (the spot-traces README). `preempted`: 1 = the probe's instance was preempted, 0 = running
 * (how the authors' simulator reads its single-node traces). docs/simulator.md gives the evidence.
 */
export type SpotValues = 'available' | 'preempted';

/**
 * The spot nodes a trace allows per sample: Infinity = no bound from the trace (a single-instance
 * probe that succeeded says spot can be had, not that only one node can), 0 = none. A trace whose
 * values go above 1 is a multi-instance probe: its values are counts and are honoured as such
 * (16-node traces: 5 means 5 nodes, not all); under `preempted` they count preempted instances of
 * the probe (its largest value), so the nodes left are the difference.
 */
export function spotCapacity(trace: SpotTrace, values: SpotValues = 'available'): SpotTrace {
  let max = 0;
  for (const v of trace.available) if (v > max) max = v;
  const counts = max > 1;
  const cap = trace.available.map((v) => {
    if (values === 'available') return counts ? v : v > 0 ? Infinity : 0;
    return counts ? max - v : v > 0 ? 0 : Infinity;
  });
  return { name: trace.name, gapS: trace.gapS, available: cap };
}
