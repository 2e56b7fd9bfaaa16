import { Option } from 'commander';
import { givenReplicaPrice, INTERVAL_S_RANGE, pickProfile, replicaPrice, runServing, servingToJson, zoneSpotPrices, type ReplicaPrice, type ServingOutcome } from '../../../app/serving.js';
import { servingRun, workloadDigest } from '../../../app/runs.js';
import { saveRun } from '../remote.js';
import { resolve } from 'node:path';
import { builtinCatalog } from '../../../core/catalog/builtin.js';
import { InvalidInput } from '../../../core/errors.js';
import { Decimal } from '../../../core/money.js';
import { AUTOSCALER_NAMES } from '../../../core/serving/autoscale.js';
import { GPU_SPECS, MODEL_SPECS, defaultProfiles, deriveProfile, type ReplicaProfile } from '../../../core/serving/replica.js';
import { BALANCER_NAMES, type BalancerName, type ServingResult } from '../../../core/serving/simulate.js';
import { readServingTrace, SERVING_FORMATS, type ServingFormat } from '../../importers/serving-trace.js';
import { readSpotTrace } from '../../importers/spot-trace.js';
import { readReplicaProfiles } from '../../importers/replica-profiles.js';
import { parseDurationMs } from '../../importers/timestamp.js';
import type { RegisterCommand } from '../context.js';
import { givenFlags, printJson } from '../context.js';
import { money, num, pct, table } from '../render.js';

interface Opts {
  format?: ServingFormat;
  model: string;
  gpu: string;
  gpus?: string;
  profiles?: string;
  provider?: string;
  onDemandPrice?: string;
  spotPrice?: string;
  spotTrace: string[];
  spotOffset?: string;
  hedge: string;
  sloTtft: string;
  sloAttainment: string;
  interval: string;
  balancers?: string;
  autoscalers?: string;
  plan: boolean;
  planGpus?: string;
  seed: string;
  json?: boolean;
  save?: boolean;
}

const bad = (flag: string, found: string, expected: string, hint: string) => new InvalidInput(`${flag} must be ${expected}, found ${JSON.stringify(found)}`, [{ path: flag.replace(/^--/, ''), message: `not ${expected}`, found, expected }], hint);

function seconds(flag: string, raw: string): number {
  const ms = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) * 1000 : parseDurationMs(raw);
  if (!(ms > 0)) throw bad(flag, raw, 'a positive duration', `Give seconds or a duration such as ${flag} 2s, 500ms, 1min.`);
  return ms / 1000;
}

function list<T extends string>(flag: string, raw: string | undefined, all: readonly T[]): T[] | undefined {
  if (raw === undefined) return undefined;
  const xs = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = xs.filter((x) => !all.includes(x as T));
  if (unknown.length || xs.length === 0) throw bad(flag, raw, `a list of ${all.join(', ')}`, `Choose from ${all.join(', ')}.`);
  return xs as T[];
}

export const registerServing: RegisterCommand = (program, ctx) => {
  program
    .command('serving')
    .description('inference serving at least cost: every load balancer × autoscaler simulated on a request trace against a latency SLO, and the cheapest replica plan')
    .argument('<trace>', 'request trace CSV: Azure LLM (TIMESTAMP,ContextTokens,GeneratedTokens), generic (time,context_tokens,generated_tokens[,adapter]) or Alibaba text-to-image (gmt_create,…)')
    .addOption(new Option('--format <name>', 'trace format (default: from the header)').choices([...SERVING_FORMATS]))
    .option('--model <name>', `model served (default table: ${MODEL_SPECS.map((m) => m.model).join(', ')})`, 'llama-3-8b')
    .option('--gpu <type>', `GPU type of a replica (${GPU_SPECS.map((g) => g.gpu).join(', ')})`, 'A100')
    .option('--gpus <n>', 'GPUs per replica (default: the fewest that hold the weights and a KV cache)')
    .option('--profiles <file>', 'your measured replica profiles (CSV: model,gpu,gpus_per_replica,prefill_tokens_per_s,decode_step_base_ms,decode_step_per_kv_token_us,kv_capacity_tokens,max_batch,startup_s) instead of the default table')
    .option('--provider <name>', 'price replicas from this provider\'s catalog offerings only')
    .option('--on-demand-price <usd>', 'on-demand price of one replica-hour (default: the catalog)')
    .option('--spot-price <usd>', 'spot price of one replica-hour (default: the catalog, where it has one)')
    .option('--spot-trace <file[@usd]>', 'spot availability (SkyPilot spot-traces JSON): when spot replicas are preempted; repeat for several zones (replicas are spread across them, a zone\'s outage takes only its share); FILE@PRICE gives the zone its own spot price of a replica-hour (default: --spot-price, else the catalog in the zone\'s region, e.g. us-west-2 for us-west-2a)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--spot-offset <duration>', 'where in the spot trace the requests start (e.g. 2h10min)', '0s')
    .option('--hedge <n|zones>', 'spot-mix: extra spot replicas over the need; zones (default): the fewest that survive losing the fullest zone, ceil(need / (zones up - 1)), one with one zone; a number for zones that fail together', 'zones')
    .option('--slo-ttft <duration>', 'time to first token a request must meet', '2s')
    .option('--slo-attainment <share>', 'share of requests that must meet it (0.99: P99 TTFT within the SLO)', '0.99')
    .option('--interval <duration>', 'autoscaling and planning interval', '60s')
    .option('--balancers <a,b>', `balancers to compare (default all: ${BALANCER_NAMES.join(', ')})`)
    .option('--autoscalers <a,b>', `autoscalers to compare (default all: ${AUTOSCALER_NAMES.join(', ')})`)
    .option('--no-plan', 'leave out the replica plan (no MILP solve)')
    .option('--plan-gpus <a,b>', 'GPU types the plan may choose from (default: every type of the table the model fits and the catalog prices)')
    .option('--seed <n>', 'random seed (power of two choices)', '1')
    .option('--json', 'print exact JSON (money as decimal strings)')
    .option('--save', 'record the comparison in the workspace as a serving run (GET /api/runs?kind=serving, the dashboard\'s Serving page)')
    .addHelpText('after', `\nExamples:\n  penny serving ../shared/data/azure-llm-2023/AzureLLMInferenceTrace_code.csv --spot-trace ../shared/data/spot-traces/availability/1-node/aws-02-15-2023/us-west-2a_v100_1.json --spot-offset 7800s\n  penny serving requests.csv --model llama-3-70b --gpu H100 --slo-ttft 1s --autoscalers fixed-peak,forecast --json\n\nSee docs/serving.md for the replica model, its default table and sources.`)
    .action(async (file: string, opts: Opts, cmd) => {
      const attainment = Number(opts.sloAttainment);
      if (!(attainment > 0 && attainment <= 1)) throw bad('--slo-attainment', opts.sloAttainment, 'a share in (0, 1]', 'Give e.g. --slo-attainment 0.99.');
      const gpus = opts.gpus === undefined ? undefined : Number(opts.gpus);
      if (gpus !== undefined && !(Number.isInteger(gpus) && gpus >= 1 && gpus <= 64)) throw bad('--gpus', opts.gpus!, 'a whole number from 1 to 64', 'Give e.g. --gpus 4.');
      const seed = Number(opts.seed);
      if (!(Number.isInteger(seed) && seed >= 0)) throw bad('--seed', opts.seed, 'a non-negative whole number', 'Give e.g. --seed 42.');
      const price = (raw: string | undefined, flag: string) => {
        if (raw === undefined) return undefined;
        return givenReplicaPrice(raw, flag, `Give e.g. ${flag} 4.10.`);
      };
      const odOverride = price(opts.onDemandPrice, '--on-demand-price');
      const spotOverride = price(opts.spotPrice, '--spot-price');
      const balancers = list('--balancers', opts.balancers, BALANCER_NAMES) as BalancerName[] | undefined;
      const autoscalers = list('--autoscalers', opts.autoscalers, AUTOSCALER_NAMES);
      const intervalS = seconds('--interval', opts.interval);
      // The API's bounds: one autoscaling decision a day at most, and no sub-second planning slots.
      if (intervalS < INTERVAL_S_RANGE.min || intervalS > INTERVAL_S_RANGE.max) throw bad('--interval', opts.interval, 'from 1 s to 1 day', 'Give e.g. --interval 60s or --interval 5min.');
      const sloTtftS = seconds('--slo-ttft', opts.sloTtft);
      const spotOffsetS = opts.spotOffset === '0s' ? 0 : seconds('--spot-offset', opts.spotOffset!);
      if (opts.hedge !== 'zones' && !/^\d+$/.test(opts.hedge)) throw bad('--hedge', opts.hedge, 'zones or a whole number of replicas', 'Give e.g. --hedge 2, or leave it at zones.');
      const hedge = opts.hedge === 'zones' ? ('zones' as const) : Number(opts.hedge);
      // Spot options without a spot trace ran as if absent, with no word (spot-offset) or a note.
      const flags = givenFlags(cmd, ['spotOffset', 'hedge']);
      if (flags.length && opts.spotTrace.length === 0) {
        throw new InvalidInput(`${flags.join(', ')} ${flags.length > 1 ? 'need' : 'needs'} a spot trace (--spot-trace FILE)`, flags.map((f) => ({ path: f, message: 'spot only' })), 'Give the spot availability with --spot-trace (SkyPilot spot-traces JSON), or leave the spot options out.');
      }

      const table = opts.profiles ? await readReplicaProfiles(opts.profiles) : undefined;
      const profile = table ? pickProfile(table, opts.profiles!, opts.model, opts.gpu, gpus) : deriveProfile(opts.model, opts.gpu, gpus);
      const catalog = builtinCatalog();
      const fromCatalog = replicaPrice(catalog, profile, opts.provider);
      const od = odOverride ?? fromCatalog?.onDemandUsdPerHour;
      if (!od) throw new InvalidInput(`no catalog price for ${opts.gpu}${opts.provider ? ` at ${opts.provider}` : ''}`, [{ path: 'gpu', message: 'no offering of this GPU type in the catalog', found: opts.gpu }], 'Give the price of a replica-hour with --on-demand-price (and --spot-price), or choose another --gpu or --provider.');
      const spot = spotOverride ?? fromCatalog?.spotUsdPerHour;
      const p: ReplicaPrice = { onDemandUsdPerHour: od, ...(spot && { spotUsdPerHour: spot }), source: odOverride ? 'given on the command line' : fromCatalog!.source };

      const planCandidates = opts.plan && !odOverride
        ? (table ?? defaultProfiles())
            .filter((c) => c.model === opts.model && (!opts.planGpus || opts.planGpus.split(',').map((s) => s.trim()).includes(c.gpu)))
            .flatMap((c) => {
              const cp = replicaPrice(catalog, c, opts.provider);
              return cp ? [{ profile: c, price: cp }] : [];
            })
        : [{ profile, price: p }];
      const { workload, format } = await readServingTrace(file, opts.format);
      // FILE@PRICE: the zone's own spot price (a path may hold '@': only a decimal after the last one is a price).
      const zoneArgs = opts.spotTrace.map((arg) => {
        const at = arg.lastIndexOf('@');
        const tail = at > 0 ? arg.slice(at + 1) : '';
        return at > 0 && /^[\d.]+$/.test(tail) ? { file: arg.slice(0, at), price: price(tail, `--spot-trace ${arg}`) } : { file: arg, price: undefined };
      });
      const zones = await Promise.all(zoneArgs.map((z) => readSpotTrace(z.file)));
      const zonePrices = zoneSpotPrices(catalog, profile, zones, zoneArgs.map((z) => z.price), spotOverride, opts.provider);
      const outcome = await runServing({
        workload,
        profile,
        price: p,
        planCandidates,
        slo: { ttftS: sloTtftS, attainment },
        intervalS,
        ...(balancers && { balancers }),
        ...(autoscalers && { autoscalers }),
        seed,
        ...(zones.length && { spotZones: zones, spotZonePrices: zonePrices.prices, spotOffsetS }),
        hedge,
        ...(opts.plan && { solver: ctx.solver() }),
      });
      const json = { format, ...servingToJson(outcome) };
      if (opts.save) {
        const inputs = { file: resolve(file), trace: workloadDigest(workload), format, profiles: opts.profiles ? resolve(opts.profiles) : null, spotTraces: zoneArgs.map((z) => resolve(z.file)), spotZonePrices: zonePrices.prices.map((x) => x?.toString() ?? null), model: opts.model, gpu: opts.gpu, gpus: gpus ?? null, provider: opts.provider ?? null, onDemandPrice: opts.onDemandPrice ?? null, spotPrice: opts.spotPrice ?? null, spotOffsetS, hedge, sloTtftS, attainment, intervalS, balancers: balancers ?? null, autoscalers: autoscalers ?? null, plan: opts.plan, planGpus: opts.planGpus ?? null, seed };
        const runId = await saveRun(ctx, cmd, servingRun(json, inputs));
        if (!opts.json) ctx.stderr?.(`recorded as serving run ${runId}`);
      }
      if (opts.json) {
        printJson(ctx, json);
        return;
      }
      ctx.stdout(renderServing(outcome, format));
    });
};

const secs = (x: number) => (Number.isFinite(x) ? `${num(x, x < 10 ? 2 : 1)} s` : '—');

function row(r: ServingResult, base: ServingResult, label?: string): string[] {
  const saving = base.cost.total.isZero() ? '—' : pct(new Decimal(1).minus(r.cost.total.div(base.cost.total)), 0);
  return [
    label ?? r.autoscaler,
    label ? '' : r.balancer,
    money(r.cost.total, 'USD'),
    saving,
    pct(r.sloAttainment, 2),
    r.sloMet ? 'yes' : 'NO',
    secs(r.ttftS.p50),
    secs(r.ttftS.p99),
    `${num(r.tpotS.p50 * 1000, 1)} ms`,
    num(r.replicaHours.onDemand, 2),
    num(r.replicaHours.spot, 2),
    num(r.preemptions),
    num(r.retries),
    num(r.dropped.total),
  ];
}

export function renderServing(o: ServingOutcome, format: string): string {
  const w = o.workload;
  const base = o.results[o.baseline]!;
  const p = o.profile;
  const out: string[] = [
    `${w.name} (${format}) · ${num(w.requests)} requests ${w.durationS > 0 ? `over ${num(w.durationS / 60, 1)} min · ${num(w.meanRatePerS, 2)} req/s mean` : 'all at one instant (no rate)'} · prompt ${num(w.contextTokens.mean)} / output ${num(w.generatedTokens.mean)} tokens mean`,
    `replica: ${p.model} on ${p.gpusPerReplica} × ${p.gpu} · prefill ${num(p.prefillTokensPerS)} tokens/s · KV ${num(p.kvCapacityTokens)} tokens · start-up ${num(p.startupS)} s · ${money(o.price.onDemandUsdPerHour, 'USD')}/h on demand${o.price.spotUsdPerHour ? `, ${money(o.price.spotUsdPerHour, 'USD')}/h spot` : ''}`,
    `SLO: TTFT ≤ ${o.slo.ttftS} s for ${pct(o.slo.attainment, 1)} of requests · fixed for peak: ${o.fixedPeakReplicas} replicas · ${num(o.capacityAtSloPerS, 2)} req/s per replica within the SLO · floors ${Object.entries(o.floors).map(([k, v]) => `${k} ${v}`).join(', ') || '—'}`,
    ...(o.spotZones.length ? [`spot: ${o.spotZones.length === 1 ? 'zone' : `${o.spotZones.length} zones, replicas spread across those with capacity:`} ${o.spotZones.map((z, i) => `${z}${o.spotZonePrices[i] ? ` at ${money(o.spotZonePrices[i]!, 'USD')}/h` : ''}`).join(', ')}`] : []),
    '',
    table(
      [
        { header: 'Autoscaler' },
        { header: 'Balancer' },
        { header: 'Cost (USD)', align: 'right' },
        { header: 'Saving', align: 'right' },
        { header: 'TTFT ≤ SLO', align: 'right' },
        { header: 'Met' },
        { header: 'TTFT p50', align: 'right' },
        { header: 'TTFT p99', align: 'right' },
        { header: 'TPOT p50', align: 'right' },
        { header: 'OD h', align: 'right' },
        { header: 'Spot h', align: 'right' },
        { header: 'Preempt', align: 'right' },
        { header: 'Retries', align: 'right' },
        { header: 'Dropped', align: 'right' },
      ],
      [...o.results.map((r) => row(r, base)), ...(o.plan ? [row(o.plan.result, base, `plan (${o.plan.profile.gpusPerReplica} × ${o.plan.profile.gpu})`)] : [])],
    ),
    '',
    `Saving is against the fixed-for-peak on-demand baseline (${base.autoscaler}, ${base.balancer}). Every row: requests in = served + dropped, tokens asked = served + dropped.`,
  ];
  if (o.plan) {
    const per = o.plan.perInterval;
    const tot = per.map((t) => t.onDemand + t.spot);
    out.push(`Plan: ${per.length} intervals of ${o.intervalS} s, ${Math.min(...tot)}–${Math.max(...tot)} replicas (${per.reduce((a, t) => a + t.spot, 0)} spot, ${per.reduce((a, t) => a + t.onDemand, 0)} on-demand replica-intervals); ${o.plan.rounds.length} round${o.plan.rounds.length === 1 ? '' : 's'} of plan → simulate (${o.plan.rounds.map((r) => `${pct(r.sloAttainment, 2)} at utilisation ${r.targetUtilisation}, ${pct(r.onDemandShare, 0)} on demand`).join('; ')}).`);
  }
  out.push(`Forecast: ${o.forecast.model} (P90; ${o.forecast.note}).`);
  for (const n of o.notes) out.push(`Note: ${n}`);
  return out.join('\n');
}
