/**
 * The spot deadline rules against the perfect-foresight bound on every real availability trace in
 * ../shared/data (AWS V100, 9 zones, 45 days): 40 single-GPU jobs per trace (test/random-spot-case.ts
 * spotEvaluation), deadline slack 1.2 and 1.5, both readings of the trace's values. For each policy:
 * cost over the bound (mean, worst) and the share of the possible saving (always-on-demand − bound)
 * captured (mean, worst), deadline misses (must be 0 for greedy and deadline-aware), and the
 * saving against always-on-demand. Tuning variants of deadline-aware are measured beside the
 * default, to choose the cheapest within the guarantee. Not a timing benchmark: one JSON object.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSpotTrace } from '../src/adapters/importers/spot-trace.js';
import { spotCapacity, type SpotValues } from '../src/core/model/spot.js';
import { deadlineAware } from '../src/core/sim/policies/spot.js';
import { makePolicy } from '../src/core/sim/policies/index.js';
import { spotReference, versusReference } from '../src/core/sim/reference.js';
import { compare } from '../src/core/sim/simulate.js';
import { DEFAULT_TUNING, FIRST_TUNING, type UniformProgressTuning } from '../src/core/sim/spot.js';
import { spotEvaluation } from '../test/random-spot-case.js';
import { sharedFile } from '../test/shared-data.js';

const dir = sharedFile('spot-traces/availability/1-node/aws-02-15-2023');
if (!dir) {
  console.log(JSON.stringify({ skipped: 'no ../shared/data/spot-traces' }));
  process.exit(0);
}
const only = process.env.SPOT_BENCH_TUNINGS === 'default';
const tunings: Record<string, UniformProgressTuning> = only
  ? { 'deadline-aware': DEFAULT_TUNING }
  : {
      'deadline-aware': DEFAULT_TUNING,
      'da first margins': FIRST_TUNING,
      'da grace 8, back 2/4': { ...DEFAULT_TUNING, backAheadChangeovers: 2, backMinWorkChangeovers: 4 },
      'da grace 32': { ...DEFAULT_TUNING, graceChangeovers: 32 },
      'da minRun 0': { ...DEFAULT_TUNING, minSpotRunChangeovers: 0 },
      'da no move back': { ...DEFAULT_TUNING, backAheadChangeovers: Infinity },
    };
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
interface Acc { ratios: number[]; captured: number[]; savings: number[]; misses: number }
const out: Record<string, Record<string, Acc>> = {};
for (const values of ['available', 'preempted'] as SpotValues[]) {
  for (const slack of [1.2, 1.5]) {
    const key = `${values} slack ${slack}`;
    const acc: Record<string, Acc> = (out[key] = {});
    for (const f of files) {
      const input = spotEvaluation(spotCapacity(await readSpotTrace(join(dir, f)), values), slack);
      const ref = spotReference(input)!;
      const names = ['always-on-demand', 'always-spot', 'greedy', ...Object.keys(tunings)];
      const policies = names.map((n) => (tunings[n] ? { ...deadlineAware(tunings[n]), name: n } : makePolicy(n)));
      const reports = compare(input, policies);
      const od = reports[0]!;
      for (const r of reports) {
        const a = (acc[r.policy] ??= { ratios: [], captured: [], savings: [], misses: 0 });
        const v = versusReference(r.cost.total, od.cost.total, ref);
        a.ratios.push(v.ratio);
        a.captured.push(v.capturedShare);
        a.savings.push(od.cost.total.minus(r.cost.total).div(od.cost.total).toNumber());
        a.misses += r.jobs.deadlineMisses;
      }
      const a = (acc['bound'] ??= { ratios: [], captured: [], savings: [], misses: 0 });
      a.savings.push(od.cost.total.minus(ref.cost).div(od.cost.total).toNumber());
    }
  }
}
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
const summary = Object.fromEntries(
  Object.entries(out).map(([k, acc]) => [
    k,
    Object.fromEntries(
      Object.entries(acc).map(([p, a]) => [
        p,
        p === 'bound'
          ? { savingMean: r3(mean(a.savings)) }
          : { ratioMean: r3(mean(a.ratios)), ratioWorst: r3(Math.max(...a.ratios)), capturedMean: r3(mean(a.captured)), capturedWorst: r3(Math.min(...a.captured)), savingMean: r3(mean(a.savings)), misses: a.misses },
      ]),
    ),
  ]),
);
console.log(JSON.stringify({ traces: files.length, jobsPerTrace: 40, summary }));
