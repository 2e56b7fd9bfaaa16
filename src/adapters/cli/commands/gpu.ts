import type { Command } from 'commander';
import { InvalidInput } from '../../../core/errors.js';
import { dec, isCurrencyCode, type Decimal } from '../../../core/money.js';
import { GPU_PRICES } from '../../../core/telemetry/gpu-prices.js';
import { HOURS_PER_MONTH } from '../../../core/telemetry/waste.js';
import { usageReportToJson, wasteReportToJson } from '../../../app/telemetry-json.js';
import { gpuUsageReport, gpuWasteReport, ingestNvidiaSmi, ingestPrometheus, ownedGpuPrices, type TelemetryReportOptions } from '../../../app/telemetry.js';
import type { Store } from '../../../app/ports.js';
import { loadScenario } from '../../importers/scenario.js';
import { hostFromPath, telemetryIo } from '../../importers/telemetry-io.js';
import { timeOptionMs } from '../../importers/timestamp.js';
import type { TelemetryStore } from '../../../app/telemetry-ports.js';
import type { CliContext, RegisterCommand } from '../context.js';
import { givenFlags, globalOpts, printJson, withWorkspace } from '../context.js';
import { money, num, pct, table } from '../render.js';
import { serverFor } from '../remote.js';
import { registerGpuCompact } from './gpu-compact.js';

const REPORT_HELP = `
Thresholds: an interval longer than --max-gap is a gap (not bridged); a sample is idle when
utilisation.gpu <= --idle-util; an idle period lasts at least --idle-min. Energy cost needs
--price-per-kwh (and --pue) or --scenario FILE (its electricity section).`;

export const registerGpu: RegisterCommand = (program, ctx) => {
  const gpu = program.command('gpu').description('GPU telemetry: ingest nvidia-smi / DCGM (Prometheus), usage and energy, idle and waste');

  gpu
    .command('ingest')
    .description('ingest an nvidia-smi CSV log, or DCGM metrics from a Prometheus server (http://host:9090)')
    .argument('<source>', 'nvidia-smi --format=csv file, or a Prometheus base URL')
    .option('--from <time>', 'Prometheus: range start (ISO 8601)')
    .option('--to <time>', 'Prometheus: range end (ISO 8601)')
    .option('--step <duration>', 'Prometheus: resolution (e.g. 15s, 1m)', '15s')
    .option('--host <name>', 'nvidia-smi: host of the GPUs (default: a hostname column in the file, else the file\'s name)')
    .option('--utc-offset <minutes>', 'nvidia-smi: the host clock\'s offset from UTC in minutes (its timestamps carry no zone)', '0')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  nvidia-smi --query-gpu=timestamp,index,uuid,name,utilization.gpu,utilization.memory,memory.used,memory.total,power.draw --format=csv -lms 500 > gpu.csv\n  penny gpu ingest gpu.csv\n  penny gpu ingest http://127.0.0.1:9090 --from 2024-05-01T00:00Z --to 2024-05-02T00:00Z --step 30s')
    .action(async (source: string, opts: { from?: string; to?: string; step: string; host?: string; utcOffset: string; json?: boolean }, cmd: Command) => {
      // A range given with a file does not filter it (the whole log is ingested): refused, not ignored.
      const isUrl = /^https?:\/\//i.test(source);
      const flags = givenFlags(cmd, isUrl ? ['host', 'utcOffset'] : ['from', 'to', 'step']);
      if (flags.length) {
        throw new InvalidInput(
          `${flags.join(', ')} ${flags.length > 1 ? 'apply' : 'applies'} to ${isUrl ? 'an nvidia-smi file, not a Prometheus URL' : 'a Prometheus URL, not a file: a file is ingested whole'}`,
          flags.map((f) => ({ path: f, message: isUrl ? 'nvidia-smi only' : 'Prometheus only' })),
          isUrl ? `DCGM series name their host and are in UTC: leave ${flags.length > 1 ? 'them' : 'it'} out.` : `Leave ${flags.length > 1 ? 'them' : 'it'} out (penny gpu usage --from/--to reports a range of what is stored).`,
        );
      }
      const server = await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace));
      if (server) {
        // The server holding the workspace ingests it, with the same importer and options.
        if (/^https?:\/\//i.test(source)) throw new InvalidInput('a Prometheus ingest cannot go through the Penny server holding this workspace (yet)', [], 'Stop `penny serve` for the ingest, or use a PostgreSQL database (--database), which several processes can open.');
        const offset = Number(opts.utcOffset);
        if (!Number.isInteger(offset)) throw new InvalidInput('--utc-offset must be whole minutes', [{ path: '--utc-offset', message: 'expected an integer', found: opts.utcOffset }]);
        const r = (await server.uploadAndWait('/api/gpus/telemetry', source, { host: opts.host ?? hostFromPath(source), utcOffsetMinutes: String(offset) }, ctx.progress(!!opts.json))) as { telemetry: Awaited<ReturnType<typeof ingestNvidiaSmi>> };
        printIngest(ctx, source, r.telemetry, !!opts.json);
        return;
      }
      await withTelemetry(ctx, cmd, async (tel) => {
        const progress = ctx.progress(!!opts.json);
        let result;
        if (/^https?:\/\//i.test(source)) {
          if (!opts.from || !opts.to) throw new InvalidInput('a Prometheus source needs --from and --to', [{ path: '--from/--to', message: 'both are required for a URL' }], 'e.g. --from 2024-05-01T00:00Z --to 2024-05-01T06:00Z');
          result = await ingestPrometheus(tel, ctx.clock, telemetryIo, source, { fromMs: timeOptionMs(opts.from, '--from'), toMs: timeOptionMs(opts.to, '--to'), stepS: parseDuration(opts.step, '--step') / 1000 }, progress);
        } else {
          const offset = Number(opts.utcOffset);
          if (!Number.isInteger(offset)) throw new InvalidInput('--utc-offset must be whole minutes', [{ path: '--utc-offset', message: 'expected an integer', found: opts.utcOffset }]);
          result = await ingestNvidiaSmi(tel, ctx.clock, telemetryIo, source, progress, { host: opts.host ?? hostFromPath(source), utcOffsetMinutes: offset });
        }
        printIngest(ctx, source, result, !!opts.json);
      });
    });

  reportOptions(
    gpu
      .command('usage')
      .description('per GPU and period: busy fraction, mean utilisation, energy (kWh) and its cost, idle time and its cost')
      .option('--interval <duration>', 'period length (e.g. 1h, 15m, 1d); default: the whole range'),
  )
    .addHelpText('after', `${REPORT_HELP}\n\nExamples:\n  penny gpu usage\n  penny gpu usage --interval 1h --price-per-kwh 0.25 --pue 1.3\n  penny gpu usage --scenario examples/demo/scenario.yaml --json`)
    .action(async (opts: ReportFlags, cmd: Command) => {
      const o = await reportOptionsFrom(opts);
      if (opts.interval) o.intervalMs = parseDuration(opts.interval, '--interval');
      const r = await telemetryReport(ctx, cmd, '/api/gpus/usage', o, { interval: o.intervalMs === undefined ? 'whole' : apiInterval(o.intervalMs, opts.interval!) }, async (tel, store) => usageReportToJson(await gpuUsageReport(tel, { ...o, owned: await ownedGpuPrices(store) })));
      if (opts.json) return printJson(ctx, r);
      const c = r.options.currency;
      const out: string[] = [];
      for (const g of r.gpus) {
        out.push(`${g.model ?? 'GPU'} ${g.host}:${g.index} (${g.gpuId})`);
        if (g.utilisation) out.push(`  utilisation ${sparkline(g.utilisation)} (0–100%, whole range)`);
      }
      out.push('');
      const byId = new Map(r.gpus.map((g) => [g.gpuId, g]));
      const rows = r.periods.map((p) => [
        shortGpu(byId.get(p.gpuId)!),
        fmtTime(p.startMs),
        num(p.observedS / 3600, 2),
        pct(p.busyFraction),
        p.meanUtilPct === null ? '' : `${num(p.meanUtilPct, 1)}%`,
        num(p.energyKwh, 3),
        p.energyCost ? money(dec(p.energyCost), c) : '',
        num(p.idleS / 3600, 2),
        p.idleCost ? money(dec(p.idleCost), c) : '',
        p.gapS > 0 ? num(p.gapS / 3600, 2) : '',
      ]);
      out.push(
        table(
          [{ header: 'GPU' }, { header: 'From (UTC)' }, { header: 'Observed h', align: 'right' }, { header: 'Busy', align: 'right' }, { header: 'Mean util', align: 'right' }, { header: 'Energy kWh', align: 'right' }, { header: `Energy (${c})`, align: 'right' }, { header: 'Idle h', align: 'right' }, { header: `Idle (${c})`, align: 'right' }, { header: 'Gaps h', align: 'right' }],
          rows,
        ),
      );
      // A GPU with no measured time (one sample, or samples further apart than the gap limit) has no
      // row: say so, or the empty table reads as a GPU that used nothing.
      const measured = new Set(r.periods.filter((p) => p.observedS > 0).map((p) => p.gpuId));
      for (const g of r.gpus) if (!measured.has(g.gpuId)) out.push(`${shortGpu(g)}: no time measured (a single sample, or samples more than ${fmtS(r.options.maxGapS)} apart): usage needs two samples within ${fmtS(r.options.maxGapS)}; ingest more of its log, or raise --max-gap.`);
      const kwh = r.periods.reduce((a, p) => a + p.energyKwh, 0);
      out.push(`Energy: ${num(kwh, 4)} kWh at the GPU (trapezoid over power.draw)${r.options.pricePerKwh ? `; cost includes PUE ${r.options.pue} at ${r.options.pricePerKwh} ${c}/kWh` : '; pass --price-per-kwh or --scenario for its cost'}.`);
      out.push(`Idle = utilisation <= ${r.options.idleUtilPct}% for >= ${fmtS(r.options.minIdleS)}; gaps > ${fmtS(r.options.maxGapS)} not bridged.`);
      out.push(...priceLines(r.gpus.map((g) => [g, g.price] as const), c));
      ctx.stdout(out.join('\n'));
    });

  reportOptions(
    gpu
      .command('waste')
      .description('idle and under-used GPUs, each with a recommendation (release, autostop, share/MIG, smaller GPU, spot) and its monthly saving')
      .option('--low-util <pct>', 'under-used below this mean utilisation while busy (%)', '40')
      .option('--low-mem <pct>', 'under-used also when peak memory stays below this share of the GPU (%)', '25')
      .option('--autostop-after <duration>', 'autostop timeout to price (default: --idle-min)'),
  )
    .addHelpText('after', `${REPORT_HELP}\n\nSavings are per month (${HOURS_PER_MONTH} h) at the GPU's hourly price: --gpu-price-per-hour, else a dated default per model.\n\nExamples:\n  penny gpu waste\n  penny gpu waste --idle-min 5m --gpu-price-per-hour 2.49 --json`)
    .action(async (opts: ReportFlags & { lowUtil: string; lowMem: string; autostopAfter?: string }, cmd: Command) => {
      const o = await reportOptionsFrom(opts);
      o.lowUtilPct = parseNumber(opts.lowUtil, '--low-util', 0, 100);
      o.lowMemPct = parseNumber(opts.lowMem, '--low-mem', 0, 100);
      if (opts.autostopAfter) o.autostopAfterS = parseDuration(opts.autostopAfter, '--autostop-after') / 1000;
      const extra = { lowUtilPct: o.lowUtilPct, lowMemPct: o.lowMemPct, ...(o.autostopAfterS !== undefined && { autostopAfterS: o.autostopAfterS }) };
      const r = await telemetryReport(ctx, cmd, '/api/gpus/waste', o, extra, async (tel, store) => wasteReportToJson(await gpuWasteReport(tel, { ...o, owned: await ownedGpuPrices(store) })));
      if (opts.json) return printJson(ctx, r);
      const c = r.options.currency;
      const out: string[] = [];
      out.push(
        table(
          [{ header: 'GPU' }, { header: 'Observed h', align: 'right' }, { header: 'Idle', align: 'right' }, { header: 'Idle periods', align: 'right' }, { header: 'Low-use spells', align: 'right' }, { header: 'Mean util busy', align: 'right' }, { header: 'Peak mem GiB', align: 'right' }, { header: 'Under-used' }],
          r.gpus.map((g) => [
            shortGpu(g.gpu),
            num(g.observedS / 3600, 2),
            g.observedS > 0 ? pct(g.idleS / g.observedS) : '',
            String(g.idlePeriods.length),
            g.lowUseSpells.length ? `${g.lowUseSpells.length} (${num(g.lowUseSpells.reduce((a, x) => a + x.durationS, 0) / 60, 1)} min)` : '0',
            g.meanUtilBusyPct === null ? '' : `${num(g.meanUtilBusyPct, 1)}%`,
            g.peakMemUsedMiB === null ? '' : num(g.peakMemUsedMiB / 1024, 1),
            g.underUsed ? 'yes' : '',
          ]),
        ),
      );
      out.push('');
      if (r.recommendations.length === 0) out.push('No waste found with these thresholds.');
      else {
        out.push(`Recommendations (saving per month of ${r.options.hoursPerMonth} h; release / share / smaller GPU / spot price the same hours: the best counts, the others are listed as alternatives):`);
        const rows = r.recommendations.flatMap((x) => [[x.title, money(dec(x.saving), x.currency), x.effort], ...(x.alternatives ?? []).map((a) => [`  or: ${a.title}`, `(${money(dec(a.saving), a.currency)})`, a.effort])]);
        // An owned GPU is priced in its scenario's currency: the column names one only when every row is in it.
        const currencies = [...new Set(r.recommendations.map((x) => x.currency))];
        out.push(table([{ header: 'Action' }, { header: currencies.length === 1 ? `Saving/month (${currencies[0]})` : 'Saving/month', align: 'right' }, { header: 'Effort' }], rows, { indent: '  ' }));
        for (const t of r.savingTotals) out.push(`  Waste found: ${money(dec(t.saving), t.currency)}/month (each GPU-hour once; alternatives not added)`);
      }
      out.push('');
      out.push(`Idle = utilisation <= ${r.options.idleUtilPct}% for >= ${fmtS(r.options.minIdleS)}; autostop after ${fmtS(r.options.autostopAfterS)}; under-used < ${r.options.lowUtilPct}% mean utilisation while busy or < ${r.options.lowMemPct}% peak memory; low-use spell = 0 < utilisation <= 10% for >= ${fmtS(r.options.minIdleS)}.`);
      out.push(...priceLines(r.gpus.map((g) => [g.gpu, g.price] as const), c));
      for (const n of r.notes) out.push(`note: ${n}`);
      ctx.stdout(out.join('\n'));
    });

  registerGpuCompact(gpu, ctx);
};

function printIngest(ctx: CliContext, source: string, result: Awaited<ReturnType<typeof ingestNvidiaSmi>>, json: boolean): void {
  if (json) return printJson(ctx, result);
  const skipped = [
    result.repeatedRows ? `${num(result.repeatedRows)} row(s) repeating an earlier row of this file` : '',
    result.duplicates ? `${num(result.duplicates)} already stored or rolled up from an earlier source` : '',
  ].filter(Boolean);
  ctx.stdout(result.created ? `Ingested ${num(result.samples)} samples of ${result.gpus} GPU(s) from ${source}${skipped.length ? ` (skipped: ${skipped.join('; ')})` : ''} as ${result.sourceId}.` : `Already ingested (same content) as ${result.sourceId}; nothing changed.`);
}

interface ReportFlags {
  json?: boolean;
  from?: string;
  to?: string;
  interval?: string;
  maxGap: string;
  idleUtil: string;
  idleMin: string;
  pricePerKwh?: string;
  pue?: string;
  scenario?: string;
  gpuPricePerHour?: string;
  currency?: string;
}

function reportOptions(c: Command): Command {
  return c
    .option('--json', 'print exact JSON (money as decimal strings)')
    .option('--from <time>', 'start (ISO 8601)')
    .option('--to <time>', 'end (ISO 8601)')
    .option('--max-gap <duration>', 'longer sample intervals are gaps, not bridged', '60s')
    .option('--idle-util <pct>', 'a sample is idle at or below this utilisation.gpu (%)', '0')
    .option('--idle-min <duration>', 'an idle period lasts at least this long', '10m')
    .option('--price-per-kwh <price>', 'electricity price per kWh (facility meter)')
    .option('--pue <ratio>', 'power usage effectiveness (facility / IT energy)')
    .option('--scenario <file>', 'take price per kWh, PUE and currency from a scenario\'s electricity section')
    .option('--gpu-price-per-hour <price>', 'hourly price of one GPU (default: a dated public on-demand price per model)')
    .option('--currency <code>', 'currency of the prices given (default USD, or the scenario\'s)');
}

async function reportOptionsFrom(f: ReportFlags): Promise<TelemetryReportOptions> {
  const o: TelemetryReportOptions = {
    maxGapS: parseDuration(f.maxGap, '--max-gap') / 1000,
    idleUtilPct: parseNumber(f.idleUtil, '--idle-util', 0, 100),
    minIdleS: parseDuration(f.idleMin, '--idle-min') / 1000,
  };
  if (f.from) o.fromMs = timeOptionMs(f.from, '--from');
  if (f.to) o.toMs = timeOptionMs(f.to, '--to');
  if (f.scenario) {
    const s = await loadScenario(f.scenario);
    if (!s.electricity) throw new InvalidInput(`${f.scenario} has no electricity section`, [{ path: 'electricity', file: f.scenario, message: 'expected electricity.pricePerKwh (and pue)' }], 'Add one, or pass --price-per-kwh and --pue.');
    o.pricePerKwh = dec(s.electricity.pricePerKwh as Decimal | string);
    o.pue = dec(s.electricity.pue as number);
    o.currency = s.currency;
  }
  if (f.pricePerKwh) o.pricePerKwh = parseMoney(f.pricePerKwh, '--price-per-kwh');
  if (f.pue) {
    const pue = parseNumber(f.pue, '--pue', 1, 5);
    o.pue = dec(f.pue);
    void pue;
  }
  if (f.gpuPricePerHour) o.gpuPricePerHour = parseMoney(f.gpuPricePerHour, '--gpu-price-per-hour');
  if (f.currency) {
    o.currency = f.currency.toUpperCase();
    if (!isCurrencyCode(o.currency)) throw new InvalidInput(`--currency: "${f.currency}" is not an ISO 4217 code`, [{ path: '--currency', message: 'not an ISO 4217 code', found: f.currency }], 'e.g. USD, EUR, JPY');
  }
  return o;
}

async function withTelemetry(ctx: CliContext, cmd: Command, fn: (tel: TelemetryStore, store: Store) => Promise<void>): Promise<void> {
  await withWorkspace(ctx, cmd, (ws) => fn(ws.telemetry, ws.store));
}

/**
 * A usage or waste report as its JSON: computed here, or, when `penny serve` holds the
 * workspace, by the server with the same options (one renderer prints both, so they match).
 */
async function telemetryReport<T>(ctx: CliContext, cmd: Command, path: string, o: TelemetryReportOptions, extra: Record<string, string | number>, local: (tel: TelemetryStore, store: Store) => Promise<T>): Promise<T> {
  const server = await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace));
  if (server) {
    return server.get<T>(path, {
      from: o.fromMs !== undefined ? new Date(o.fromMs).toISOString() : undefined,
      to: o.toMs !== undefined ? new Date(o.toMs).toISOString() : undefined,
      maxGapS: o.maxGapS,
      idleUtilPct: o.idleUtilPct,
      minIdleS: o.minIdleS,
      pricePerKwh: o.pricePerKwh?.toFixed(),
      pue: o.pue?.toFixed(),
      currency: o.currency,
      gpuPricePerHour: o.gpuPricePerHour?.toFixed(),
      ...extra,
    });
  }
  return withWorkspace(ctx, cmd, (ws) => local(ws.telemetry, ws.store));
}

/** The server takes whole seconds, minutes, hours or days from 1m (its report limits). */
function apiInterval(ms: number, flag: string): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  throw new InvalidInput(`--interval ${flag}: the Penny server holding this workspace takes whole seconds`, [{ path: '--interval', message: 'not whole seconds', found: flag }], 'Use e.g. 15m or 1h.');
}

function priceLines(gpus: readonly (readonly [{ gpuId: string; model: string | null; host: string; index: string }, { pricePerHour: string; source: string; currency?: string } | null])[], c: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const [g, p] of gpus) {
    const line = p ? `GPU price assumed: ${g.model ?? 'GPU'}${p.source.startsWith('owned') ? ` on ${g.host}` : ''} ${money(dec(p.pricePerHour), p.currency ?? c)}/h (${p.source})` : `GPU price unknown for ${g.model ?? g.gpuId}: pass --gpu-price-per-hour (table: ${GPU_PRICES.map((e) => e.model).join(', ')})`;
    if (!seen.has(line)) out.push(line);
    seen.add(line);
  }
  return out;
}

const SPARK = '▁▂▃▄▅▆▇█';
function sparkline(xs: (number | null)[]): string {
  return xs.map((x) => (x !== null && Number.isFinite(x) ? SPARK[Math.min(7, Math.floor((Math.max(0, x) / 100) * 8))]! : ' ')).join('');
}

function shortGpu(g: { host: string; index: string; model: string | null }): string {
  return `${g.host}:${g.index}${g.model ? ` ${g.model.replace(/^NVIDIA\s+/i, '')}` : ''}`;
}

function fmtTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

function fmtS(s: number): string {
  return s % 3600 === 0 && s >= 3600 ? `${s / 3600} h` : s % 60 === 0 && s >= 60 ? `${s / 60} min` : `${s} s`;
}

export function parseDuration(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?$/i.exec(s.trim());
  const unit = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 }[(m?.[2] ?? 's').toLowerCase() as 'ms'];
  const v = m ? Number(m[1]) * unit : NaN;
  if (!(v > 0)) throw new InvalidInput(`${flag}: not a duration`, [{ path: flag, message: 'expected a positive duration like 30s, 10m, 1h, 1d', found: s }]);
  return v;
}


function parseNumber(s: string, flag: string, min: number, max: number): number {
  const v = Number(s);
  if (!Number.isFinite(v) || v < min || v > max) throw new InvalidInput(`${flag}: out of range`, [{ path: flag, message: `expected a number from ${min} to ${max}`, found: s }]);
  return v;
}

function parseMoney(s: string, flag: string): Decimal {
  if (!/^\d+(\.\d+)?$/.test(s.trim())) throw new InvalidInput(`${flag}: not a price`, [{ path: flag, message: 'expected a non-negative decimal like 0.25', found: s }]);
  return dec(s.trim());
}
