/** Spot availability per planning period, from a SkyPilot trace replayed cyclically. */
import { availabilityShare, type SpotTrace } from '../model/spot.js';

/**
 * Share of each period [startS + t·Δ, startS + (t+1)·Δ) in which spot was available. Beyond the
 * trace's end the trace repeats, as availableAt does.
 */
export function periodAvailability(trace: SpotTrace, periods: number, periodHours: number, startS = 0): number[] {
  const L = trace.available.length * trace.gapS;
  const len = periodHours * 3600;
  const out: number[] = [];
  for (let t = 0; t < periods; t++) {
    let from = startS + t * len;
    let left = len;
    let up = 0;
    while (left > 1e-9) {
      const off = ((from % L) + L) % L;
      const span = Math.min(left, L - off);
      up += availabilityShare(trace, off, off + span) * span;
      from += span;
      left -= span;
    }
    // Six decimals: exact enough, and the same figure every run and every solver.
    out.push(Math.round((up / len) * 1e6) / 1e6);
  }
  return out;
}
