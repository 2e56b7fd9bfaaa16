/**
 * The spot deadline rules against the perfect-foresight bound on every real availability trace in
 * ../shared/data (AWS V100, 9 zones, 45 days): 40 single-GPU jobs per trace (test/random-spot-case.ts
 * spotEvaluation), deadline slack 1.2 and 1.5, both readings of the trace's values. For each policy:
 * cost over the bound (mean, worst) and the share of the possible saving (always-on-demand − bound)
 * captured (mean over traces, worst, and pooled: the money saved over all traces / the money the
 * bound saves over all traces), deadline misses (must be 0 for the deadline rules), and the
 * saving against always-on-demand. Tuning variants of deadline-aware are measured beside the
 * default, to choose the cheapest within the guarantee. Not a timing benchmark: one JSON object.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSpotTrace } from '../src/adapters/importers/spot-trace.js';
import { spotCapacity, type SpotValues } from '../src/core/model/spot.js';
import { deadlineAware, slackReserve, spotHazard } from '../src/core/sim/policies/spot.js';
import { makePolicy } from '../src/core/sim/policies/index.js';
import { spotReference, versusReference } from '../src/core/sim/reference.js';
import { compare } from '../src/core/sim/simulate.js';
import { DEFAULT_TUNING, FIRST_TUNING, HAZARD_TUNING, RESERVE_TUNING, type SlackReserveTuning, type SpotHazardTuning, type UniformProgressTuning } from '../src/core/sim/spot.js';
import { spotEvaluation } from '../test/random-spot-case.js';
import { sharedFile } from '../test/shared-data.js';

const dir = sharedFile('spot-traces/availability/1-node/aws-02-15-2023');
if (!dir) {
  console.log(JSON.stringify({ skipped: 'no ../shared/data/spot-traces' }));
  process.exit(0);
}
// SPOT_BENCH_TUNINGS: `default` (the named policies only), `grid` (slack-reserve's margins, to choose
// them: run it with SPOT_BENCH_SEED=2 so the margins are not chosen on the jobs they are reported on),
// or unset (the named policies and deadline-aware's variants).
const mode = process.env.SPOT_BENCH_TUNINGS ?? 'variants';
const seed = Number(process.env.SPOT_BENCH_SEED ?? 1);
// SPOT_BENCH_CHECKPOINT_S: the jobs' checkpoint interval (1800 s unless set): how much of the gap to
// the bound is the work a preemption takes, which no policy without foresight can avoid.
const checkpointS = Number(process.env.SPOT_BENCH_CHECKPOINT_S ?? 1800);
// SPOT_BENCH_NOTICE_S: a preemption notice (AWS gives 120 s) on which the jobs write a checkpoint
// in SPOT_BENCH_WRITE_S (60 unless set); unset: periodic checkpoints only.
const noticeS = Number(process.env.SPOT_BENCH_NOTICE_S ?? 0);
const writeS = Number(process.env.SPOT_BENCH_WRITE_S ?? 60);
const tunings: Record<string, UniformProgressTuning> =
  mode === 'variants'
    ? {
        'deadline-aware': DEFAULT_TUNING,
        'da first margins': FIRST_TUNING,
        'da grace 8, back 2/4': { ...DEFAULT_TUNING, backAheadChangeovers: 2, backMinWorkChangeovers: 4 },
        'da grace 32': { ...DEFAULT_TUNING, graceChangeovers: 32 },
        'da minRun 0': { ...DEFAULT_TUNING, minSpotRunChangeovers: 0 },
        'da no move back': { ...DEFAULT_TUNING, backAheadChangeovers: Infinity },
      }
    : { 'deadline-aware': DEFAULT_TUNING };
const reserves: Record<string, SlackReserveTuning> = { 'slack-reserve': RESERVE_TUNING };
if (mode === 'grid') {
  for (const reserveShare of [0, 0.05, 0.1, 0.2, 0.3])
    for (const reserveChangeovers of [0, 1, 2, 4])
      for (const backChangeovers of [0, 1, 2])
        for (const backCheckpoints of [0, 0.5, 1, 2]) reserves[`sr ${reserveShare}/${reserveChangeovers}/${backChangeovers}/${backCheckpoints}`] = { ...RESERVE_TUNING, reserveShare, reserveChangeovers, backChangeovers, backCheckpoints };
}
// `hazard-grid`: spot-hazard's margins (with SPOT_BENCH_SEED=2, as for `grid`).
const hazards: Record<string, SpotHazardTuning> = { 'spot-hazard': HAZARD_TUNING };
if (mode === 'hazard-grid') {
  for (const slackValue of [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 1])
    for (const minRuns of [3, 5, 10, 20])
      for (const reserveShare of [0.1, 0.2, 0.3]) hazards[`sh ${slackValue}/${minRuns}/${reserveShare}`] = { ...HAZARD_TUNING, slackValue, minRuns, reserveShare };
}
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
// saved / possible: each trace's money (always-on-demand − policy, always-on-demand − bound), summed
// over traces for the pooled share, the fleet's view, where a trace with little to save weighs little.
interface Acc { ratios: number[]; captured: number[]; savings: number[]; misses: number; saved: number; possible: number }
const out: Record<string, Record<string, Acc>> = {};
for (const values of ['available', 'preempted'] as SpotValues[]) {
  for (const slack of [1.2, 1.5]) {
    const key = `${values} slack ${slack}`;
    const acc: Record<string, Acc> = (out[key] = {});
    for (const f of files) {
      const plain = spotEvaluation(spotCapacity(await readSpotTrace(join(dir, f)), values), slack, seed, 40, checkpointS);
      const input = noticeS > 0 ? { ...plain, pools: plain.pools.map((p) => (p.pricing === 'spot' ? { ...p, spotNoticeS: noticeS } : p)), jobs: plain.jobs.map((j) => ({ ...j, checkpointOnNoticeWriteS: writeS })) } : plain;
      const ref = spotReference(input)!;
      const names = ['always-on-demand', 'always-spot', 'greedy', ...Object.keys(tunings), ...Object.keys(reserves), ...Object.keys(hazards)];
      const policies = names.map((n) =>
        tunings[n] ? { ...deadlineAware(tunings[n]), name: n } : reserves[n] ? { ...slackReserve(reserves[n]), name: n } : hazards[n] ? { ...spotHazard(hazards[n]), name: n } : makePolicy(n),
      );
      const reports = compare(input, policies);
      const od = reports[0]!;
      for (const r of reports) {
        const a = (acc[r.policy] ??= { ratios: [], captured: [], savings: [], misses: 0, saved: 0, possible: 0 });
        const v = versusReference(r.cost.total, od.cost.total, ref);
        a.saved += od.cost.total.minus(r.cost.total).toNumber();
        a.possible += od.cost.total.minus(ref.cost).toNumber();
        a.ratios.push(v.ratio);
        a.captured.push(v.capturedShare);
        a.savings.push(od.cost.total.minus(r.cost.total).div(od.cost.total).toNumber());
        a.misses += r.jobs.deadlineMisses;
      }
      const a = (acc['bound'] ??= { ratios: [], captured: [], savings: [], misses: 0, saved: 0, possible: 0 });
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
          : { ratioMean: r3(mean(a.ratios)), ratioWorst: r3(Math.max(...a.ratios)), capturedMean: r3(mean(a.captured)), capturedWorst: r3(Math.min(...a.captured)), capturedPooled: r3(a.saved / a.possible), savingMean: r3(mean(a.savings)), misses: a.misses },
      ]),
    ),
  ]),
);
// Captured share per trace (in file order) for the named policies.
const named = ['greedy', 'deadline-aware', 'slack-reserve', 'spot-hazard'];
const perTrace = Object.fromEntries(Object.entries(out).map(([k, acc]) => [k, Object.fromEntries(named.map((p) => [p, acc[p]!.captured.map(r3)]))]));
console.log(JSON.stringify({ traces: files.length, files, jobsPerTrace: 40, seed, checkpointS, ...(noticeS > 0 && { noticeS, writeS }), summary, perTrace }));
