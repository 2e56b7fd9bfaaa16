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
