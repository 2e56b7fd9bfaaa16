/**
 * Multi-zone spot on the real AWS V100 traces (../shared/data, 2023-02-15): the 40 jobs of
 * bench/spot-deadline.bench.ts (test/random-spot-case.ts spotEvaluation) against one zone's spot,
 * then against every zone of its region as spot pools at the same price (a job preempted in one zone
 * moves to another that is up, paying lost work, provisioning and restart). Saving against
 * always-on-demand, the share of the possible saving captured (against the perfect-foresight
 * bound over the same zones: src/core/sim/reference.ts) and deadline misses, both readings, slack
 * 1.2 and 1.5. Not a timing benchmark: one JSON object.
 */
import { join } from 'node:path';
import { readSpotTrace } from '../src/adapters/importers/spot-trace.js';
import { spotCapacity, type SpotValues } from '../src/core/model/spot.js';
import { compare } from '../src/core/sim/simulate.js';
import { spotReference, versusReference } from '../src/core/sim/reference.js';
import { spotEvaluation } from '../test/random-spot-case.js';
import { sharedFile } from '../test/shared-data.js';

// SPOT_BENCH_SEED: the jobs' draw (1 unless set; margins are chosen on 2 and reported on 1).
const seed = Number(process.env.SPOT_BENCH_SEED ?? 1);
const dir = sharedFile('spot-traces/availability/1-node/aws-02-15-2023');
if (!dir) {
  console.log(JSON.stringify({ skipped: 'no ../shared/data/spot-traces' }));
  process.exit(0);
}
const regions: Record<string, string[]> = { 'us-east-1': ['us-east-1a', 'us-east-1c', 'us-east-1d', 'us-east-1f'], 'us-east-2': ['us-east-2a', 'us-east-2b'], 'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'] };
const policies = ['greedy', 'deadline-aware', 'slack-reserve', 'spot-hazard'];
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const results: Record<string, unknown> = {};
for (const values of ['available', 'preempted'] as SpotValues[]) {
  for (const slack of [1.2, 1.5]) {
    for (const [region, zones] of Object.entries(regions)) {
      const traces = await Promise.all(zones.map(async (z) => spotCapacity(await readSpotTrace(join(dir, `${z}_v100_1.json`)), values)));
      const row: Record<string, unknown> = {};
      for (const multi of [false, true]) {
        const base = spotEvaluation(traces[0]!, slack, seed);
        const spot = base.pools[1]!;
        const pools = multi ? [base.pools[0]!, ...traces.map((t, i) => ({ ...spot, name: `spot-${zones[i]}`, spotTrace: t }))] : base.pools;
        const input = { ...base, pools };
        const reports = compare(input, ['always-on-demand', ...policies]);
        const od = reports[0]!.cost.total;
        const ref = spotReference(input)!;
        row[multi ? `all ${zones.length} zones` : zones[0]!] = {
          bound: { saving: r3(od.minus(ref.cost).div(od).toNumber()) },
          ...Object.fromEntries(
            reports.slice(1).map((r) => [r.policy, { saving: r3(od.minus(r.cost.total).div(od).toNumber()), captured: r3(versusReference(r.cost.total, od, ref).capturedShare), misses: r.jobs.deadlineMisses, preemptions: r.jobs.preemptions }]),
          ),
        };
      }
      results[`${values} slack ${slack} ${region}`] = row;
    }
  }
}
console.log(JSON.stringify({ jobs: 40, seed, results }));
