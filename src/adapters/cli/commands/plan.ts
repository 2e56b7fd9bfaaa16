import { writeFile } from 'node:fs/promises';
import { HOURS_PER_MONTH, planToJson } from '../../../app/plan-json.js';
import { DEFAULT_MAX_NODES, DEFAULT_SAFETY_TIME_LIMIT_S, planCapacity, type PlanResult } from '../../../app/plan.js';
import { InvalidInput } from '../../../core/errors.js';
import { stalePriceWarnings } from '../../../core/catalog/age.js';
import { builtinDateSpan } from '../../../core/catalog/builtin.js';
import { Decimal, isCurrencyCode, roundPartsToTotal, toPlain } from '../../../core/money.js';
import { formatRuns, type PlanLine, type Run } from '../../../core/planner/plan.js';
import { loadPlanScenario } from '../../importers/plan-scenario.js';
import { toLpFormat, toMpsFormat } from '../../solver/lp-format.js';
import type { RegisterCommand } from '../context.js';
import { printJson, withWorkspace } from '../context.js';
import { planRun } from '../../../app/runs.js';
import { saveRun } from '../remote.js';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { money, moneyParts, num, pct, table, width as width_ } from '../render.js';

/**
 * The MIP gap is a ratio (0.005 = 0.5%); "0.5%" is read too. 1 or more would accept any plan, so it
 * is refused as the likely slip it is (`--gap 5` meant 5%).
 */
export function parseGap(v: string): number {
  const t = v.trim();
  const n = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  if (!Number.isFinite(n) || n < 0 || n >= 1 || t === '') {
    const asPct = Number(t.replace(/%$/, ''));
    const hint = Number.isFinite(asPct) && asPct >= 1 && asPct < 100 ? `Did you mean --gap ${asPct / 100} (${asPct}%)?` : 'Example: --gap 0.005 (0.5%) or --gap 0.5%';
    throw new InvalidInput(`--gap must be a ratio from 0 up to (not including) 1, found ${JSON.stringify(v)}`, [{ path: '--gap', message: 'expected a ratio in [0, 1)', found: v }], hint);
  }
  return n;
}

const positiveInteger = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidInput(`${name} must be a positive whole number, found ${JSON.stringify(v)}`, [{ path: name, message: 'expected a positive integer', found: v }], `Example: ${name} 200000`);
  return n;
};

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidInput(`${name} must be a positive number, found ${JSON.stringify(v)}`, [{ path: name, message: 'expected a positive number', found: v }], `Example: ${name} ${name === '--gap' ? '0.005' : '30'}`);
  return n;
};

export const registerPlan: RegisterCommand = (program, ctx) => {
  program
    .command('plan')
    .description('the cheapest mix of GPUs (on-prem, reserved, on-demand, spot) that covers demand, solved as a MILP with HiGHS')
    .argument('<scenario>', 'plan scenario YAML; see docs/planner.md')
    .option('--json', 'print exact JSON (money as decimal strings)')
    .option('--export-mps <file>', 'write the model as free MPS (CBC, GLPK --freemps, any MILP solver)')
    .option('--export-lp <file>', 'write the model in CPLEX LP format')
    .option('--gap <ratio>', 'stop when the proved relative MIP gap is at most this (0.005 or 0.5%)', parseGap, 0.005)
    .option('--max-nodes <n>', `work limit: branch-and-bound nodes over all solves (the same input gives the same plan on any machine)`, positiveInteger('--max-nodes'), DEFAULT_MAX_NODES)
    .option('--time-limit <s>', 'wall-clock safety stop in seconds; a plan it cuts is marked as machine-dependent', positive('--time-limit'), DEFAULT_SAFETY_TIME_LIMIT_S)
    .option('--catalog <ref>', "replace the scenario's catalogs: builtin, a SkyPilot vms.csv or catalog folder, an FSDL cloud-gpus.csv or a Penny catalog YAML (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option('--catalog-currency <code>', "currency of the --catalog files' prices where a file does not say (a CSV); converted with the scenario's exchangeRates")
    .option('--no-explain', 'skip the re-solves that price each binding constraint and split the saving')
    .option('--detail', 'after the summary, the hour-by-hour plan, the cost breakdowns and the binding constraints')
    .option('--csv <file>', 'write every period of the plan as CSV (period, offering, pricing model, commitment, instances)')
    .option('--width <columns>', 'wrap the summary to this many columns (default: the terminal, else 100)', positiveInteger('--width'))
    .option('--save', 'record the plan in the workspace (the dashboard shows it)')
    .addHelpText('after', '\nExamples:\n  penny plan examples/plan-week.yaml\n  penny plan examples/plan-week.yaml --json\n  penny plan examples/plan-week.yaml --export-mps week.mps && cbc week.mps solve')
    .action(async (file: string, opts: { json?: boolean; exportMps?: string; exportLp?: string; gap: number; maxNodes: number; timeLimit: number; catalog?: string[]; catalogCurrency?: string; explain: boolean; save?: boolean; detail?: boolean; csv?: string; width?: number }, cmd) => {
      if (opts.catalogCurrency !== undefined && !opts.catalog) throw new InvalidInput('--catalog-currency needs --catalog', [{ path: '--catalog-currency', message: 'applies to the --catalog files only' }], "Name the catalogs with --catalog, or write catalogs: [{ path: FILE, currency: EUR }] in the scenario.");
      const catalogCurrency = opts.catalogCurrency?.trim().toUpperCase();
      if (catalogCurrency !== undefined && !isCurrencyCode(catalogCurrency)) throw new InvalidInput(`--catalog-currency: not an ISO 4217 code: ${opts.catalogCurrency}`, [{ path: '--catalog-currency', message: 'expected a currency code such as EUR', found: opts.catalogCurrency! }], 'Example: --catalog-currency EUR');
      const loaded = await loadPlanScenario(file, opts.catalog ? { catalogs: opts.catalog, ...(catalogCurrency && { catalogCurrency }) } : {});
      const warnings = stalePriceWarnings(loaded.catalogDates, ctx.clock.now());
      for (const w of warnings) ctx.stderr(`warning: ${w}`);
      const progress = ctx.progress(Boolean(opts.json));
      progress.start(1, 'solving');
      let r;
      try {
        r = await planCapacity(loaded.inputs, ctx.solver(), { mipRelGap: opts.gap, maxNodes: opts.maxNodes, timeLimitS: opts.timeLimit, explain: opts.explain });
      } finally {
        progress.finish();
      }
      if (opts.exportMps) await writeFile(opts.exportMps, toMpsFormat(r.lp));
      if (opts.exportLp) await writeFile(opts.exportLp, toLpFormat(r.lp));
      if (opts.csv) await writeFile(opts.csv, planCsv(r));
      if (opts.save) {
        const json = planToJson(r, loaded.catalogs) as { scenario: string; totalUsd: string; savings: unknown; solver: unknown };
        const source = await readFile(file, 'utf8');
        await saveRun(ctx, cmd, planRun(json, { file: resolve(file), source, catalogs: opts.catalog ?? null, gap: opts.gap }));
      }
      if (opts.json) {
        printJson(ctx, { ...planToJson(r, loaded.catalogs, loaded.currency), ...(warnings.length && { warnings }) });
        return;
      }
      const width = opts.width ?? (process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 100);
      ctx.stdout(renderSummary(r, loaded.catalogs, width, loaded.currency) + (opts.detail ? `\n\n${renderPlan(r, loaded.catalogs, loaded.currency)}` : ''));
    });
};

/** The currency a plan is shown in: its code and units per US dollar (plans are solved in USD). */
export interface ShownCurrency {
  code: string;
  perUsd: Decimal;
}
export const USD: ShownCurrency = { code: 'USD', perUsd: new Decimal(1) };

const shower = (c: ShownCurrency) => (x: Decimal) => money(x.times(c.perUsd), c.code);

function breakdown(title: string, m: Record<string, Decimal>, total: Decimal, c: ShownCurrency): string {
  const keys = Object.keys(m).sort((a, b) => m[b]!.comparedTo(m[a]!) || a.localeCompare(b));
  const shown = roundPartsToTotal(keys.map((k) => m[k]!.times(c.perUsd)), 2);
  return `${title}: ${keys.map((k, i) => `${k} ${money(shown[i]!, c.code)} (${pct(total.gt(0) ? m[k]!.div(total).toNumber() : 0)})`).join(' · ')}`;
}

export function renderPlan(r: PlanResult, catalogs: string[], c: ShownCurrency = USD): string {
  const show = shower(c);
  const p = r.plan;
  const i = r.inputs;
  const out: string[] = [];
  out.push(`${i.name} · ${num(i.periods)} periods × ${num(i.periodHours, i.periodHours % 1 ? 2 : 0)} h · ${i.classes.length} class${i.classes.length > 1 ? 'es' : ''} · catalogs: ${catalogs.map((c) => (c === 'builtin' ? `built-in prices of ${builtinDateSpan()}` : c)).join(', ')}`);
  out.push(`${r.solver}: ${r.status}, MIP gap ${pct(r.gap, 2)} proved (${r.method}) · ${num(r.model.columns)} columns × ${num(r.model.rows)} rows (${num(r.model.optionsKept)} of ${num(r.model.optionsConsidered)} purchase options after dominance pruning) · ${num(r.work.nodes)} branch-and-bound nodes · ${num(r.timings.totalS, 2)} s`);
  if (r.work.stoppedBy === 'nodes') out.push(`Stopped by the work limit (${num(r.work.maxNodes)} nodes) before the gap of the target was proved; raise --max-nodes to search further. The same input gives this same plan anywhere.`);
  if (r.work.stoppedBy === 'time') out.push(`Warning: stopped by the wall-clock safety limit (--time-limit) before the work limit: this plan may differ on a faster or less loaded machine. Raise --time-limit, or lower --max-nodes for a reproducible stop.`);
  out.push('');
  out.push('What to buy (periods t0… of the horizon, run-length: t0–23 ×4 = 4 instances in periods 0 to 23)');
  out.push(
    table(
      [{ header: 'Offering' }, { header: 'GPU' }, { header: 'Buy as' }, { header: `${c.code}/h`, align: 'right' }, { header: 'Instances per period' }, { header: 'Inst-h', align: 'right' }, { header: 'Cost', align: 'right' }],
      p.lines.map((l) =>
        l.savingsPlan?.role === 'commit'
          ? [l.offeringId, '', 'savings plan', show(l.priceUsdPerHour), 'committed every period', '', show(l.costUsd)]
          : [l.offeringId, `${l.gpuCount}×${l.gpu}`, l.savingsPlan ? `on-demand via ${l.savingsPlan.name}` : l.commitment && l.commitment.name !== 'reserved' ? `reserved (${l.commitment.name})` : l.priceModel, show(l.priceUsdPerHour), abbreviate(formatRuns(l.runs), 60), num(l.instanceHours, 1), show(l.costUsd)],
      ),
      { indent: '  ' },
    ),
  );
  out.push('');
  out.push(`Total: ${show(p.totalUsd)}${p.egressUsd.gt(0) ? ` (egress ${show(p.egressUsd)} included)` : ''}`);
  out.push(breakdown('  by pricing model', p.byPriceModel, p.totalUsd, c));
  out.push(breakdown('  by provider', p.byProvider, p.totalUsd, c));
  out.push(breakdown('  by GPU type', p.byGpu, p.totalUsd, c));
  if (p.onPremCapexUsd.gt(0)) out.push(`  on-prem capex (sunk, not in the total): ${show(p.onPremCapexUsd)}`);
  out.push('');
  out.push('Against the baselines (computed in this run):');
  for (const b of r.baselines) {
    const s = r.savings.find((x) => x.baseline === b.name);
    if (s) out.push(`  ${b.name.padEnd(20)} ${show(s.baselineUsd).padStart(14)}  → the plan saves ${show(s.savingUsd)} (${pct(s.share)})  [${b.note}]`);
    else out.push(`  ${b.name.padEnd(20)} ${'infeasible'.padStart(14)}  (${b.note}; unmet: ${Object.entries(b.unmet).filter(([, u]) => u > 0).map(([c, u]) => `${c} ${num(u, 1)}`).join(', ')})`);
  }
  if (r.savingSplit) {
    const sp = r.savingSplit;
    const total = sp.fromUsd.minus(sp.planUsd);
    out.push(`  where the saving comes from, against all on-demand at list price with nothing owned (${show(sp.fromUsd)}, saving ${show(total)}):`);
    const shown = moneyParts(sp.parts.map((x) => x.usd.times(c.perUsd)), c.code);
    out.push(`    ${sp.parts.map((x, k) => `${x.part} ${shown[k]}`).join(' · ')}`);
  }
  if (r.explanations.length) {
    out.push('');
    out.push('Binding constraints (each relaxed alone and re-solved: "integer" = the plan − the relaxed integer plan, both');
    out.push('proved within the gap, the range the bounds allow in brackets; "LP" = on the LP relaxation only; marginal = LP duals summed over periods):');
    out.push(
      table(
        [{ header: 'Constraint' }, { header: 'Relaxed to' }, { header: 'Would save', align: 'right' }, { header: 'Priced on' }, { header: 'Marginal', align: 'right' }],
        r.explanations.map((e) => [
          e.constraint,
          e.relaxation,
          e.savingRangeUsd ? `${show(e.savingUsd)} [${show(e.savingRangeUsd.low)}–${show(e.savingRangeUsd.high)}]` : e.savingUsd.gt(0) ? `≈ ${show(e.savingUsd)}` : 'nothing',
          e.pricedOn === 'integer plan' ? 'integer' : 'LP',
          e.marginalUsd ? show(e.marginalUsd) : '',
        ]),
        { indent: '  ' },
      ),
    );
  }
  return out.join('\n');
}

/**
 * Word-wrap one line to `width` columns; continuation lines are indented two more than the
 * line's own indent. A word longer than the room left is cut with an ellipsis.
 */
export function wrap(line: string, width: number): string[] {
  if (width_(line) <= width) return [line];
  const indent = /^ */.exec(line)![0];
  const next = `${indent}    `;
  const out: string[] = [];
  let cur = '';
  for (const word of line.slice(indent.length).split(' ')) {
    const lead = out.length === 0 ? indent : next;
    const trial = cur ? `${cur} ${word}` : `${lead}${word}`;
    if (width_(trial) <= width) {
      cur = trial;
      continue;
    }
    if (cur) out.push(cur);
    const w = `${next}${word}`;
    cur = width_(w) <= width ? w : `${w.slice(0, Math.max(1, width - 1))}…`;
  }
  if (cur) out.push(cur);
  return out;
}

function span(counts: number[]): string {
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  return lo === hi ? `${hi}` : `${lo}–${hi}`;
}

/** Periods where a line runs, as ranges without counts: "t7–9, t31–33" (at most `max` ranges). */
function when(rs: Run[], max: number): string {
  const ranges: string[] = [];
  for (const r of rs) {
    const last = ranges.length ? rs[rs.indexOf(r) - 1] : undefined;
    if (last && last.to === r.from - 1) ranges[ranges.length - 1] = ranges[ranges.length - 1]!.replace(/(–\d+)?$/, `–${r.to}`);
    else ranges.push(r.from === r.to ? `t${r.from}` : `t${r.from}–${r.to}`);
  }
  return ranges.length <= max ? ranges.join(', ') : `${ranges.slice(0, max).join(', ')}, … (${ranges.length} stretches)`;
}

/**
 * What a buyer acts on, first: what to commit to, which owned servers to run, what to keep on
 * spot, when to burst on demand, and the cost per month; then the baselines and where the saving
 * comes from. Every line fits `width` columns. The hour-by-hour plan is `--detail` / `--csv`.
 */
export function renderSummary(r: PlanResult, catalogs: string[], width: number, c: ShownCurrency = USD): string {
  const p = r.plan;
  const i = r.inputs;
  const T = i.periods;
  const hours = new Decimal(T).times(i.periodHours);
  const perMonth = hours.gt(0) ? p.totalUsd.div(hours).times(HOURS_PER_MONTH) : p.totalUsd;
  const usd = shower(c);
  const out: string[] = [];
  const counts = (l: PlanLine) => {
    const c = new Array<number>(T).fill(0);
    for (const run of l.runs) for (let t = run.from; t <= run.to; t++) c[t] = run.count;
    return c;
  };
  const busy = (l: PlanLine) => counts(l).filter((n) => n > 0).length;
  const label = (l: PlanLine) => `${l.offeringId} (${l.gpuCount}×${l.gpu})`;
  out.push(`${i.name} · ${num(T)} periods × ${num(i.periodHours, i.periodHours % 1 ? 2 : 0)} h · ${i.classes.length} class${i.classes.length > 1 ? 'es' : ''} · prices: ${catalogs.map((c) => (c === 'builtin' ? `built-in of ${builtinDateSpan()}` : c)).join(', ')}`);
  if (c.code !== 'USD') out.push(`Amounts in ${c.code} at ${toPlain(c.perUsd)} ${c.code} per USD (the scenario's exchangeRates; prices are USD)`);
  const od = r.savings.find((s) => s.baseline === 'all on-demand');
  out.push(`Cost: ${usd(p.totalUsd)} over ${num(hours, hours.isInteger() ? 0 : 1)} h, ${usd(perMonth)} per month (${HOURS_PER_MONTH} h)${od ? `; ${pct(od.share)} below all on-demand with your servers counted` : ''}`);
  const byModel = (m: string) => p.lines.filter((l) => l.priceModel === m);
  const section = (title: string, lines: string[]) => {
    if (!lines.length) return;
    out.push('', title);
    out.push(...lines);
  };
  section(
    'Commit (paid every hour of the term, used or not):',
    byModel('reserved').filter((l) => !l.savingsPlan).map((l) => {
      const c = l.commitment;
      const offer = r.commitments.find((x) => x.offeringId === l.offeringId && x.name === c?.name);
      const terms = c?.termYears
        ? `${c.name}: ${c.upfrontUsd.gt(0) ? `${usd(c.upfrontUsd)} upfront` : ''}${c.upfrontUsd.gt(0) && c.usdPerHour.gt(0) ? ' + ' : ''}${c.usdPerHour.gt(0) ? `${usd(c.usdPerHour)}/h` : ''} each = ${usd(l.priceUsdPerHour)}/h amortised`
        : `reserved rate ${usd(l.priceUsdPerHour)}/h`;
      const be = offer?.breakEvenUtilisation !== undefined ? `; beats on-demand above ${pct(offer.breakEvenUtilisation, 0)} use` : '';
      return `  ${l.runs[0]?.count ?? 0} × ${label(l)}, ${terms}${be} · ${usd(l.costUsd)}`;
    }),
  );
  section(
    'Commit to savings plans (spend per hour, paid used or not):',
    r.savingsPlans
      .filter((x) => x.committedUsdPerHour.gt(0))
      .map((x) => {
        const covered = p.lines.filter((l) => l.savingsPlan?.role === 'usage' && l.savingsPlan.name === x.name);
        // The commitment's cost over the horizon, as every other line shows its own: without it the
        // amounts listed did not add up to the plan's cost.
        const commit = p.lines.find((l) => l.savingsPlan?.role === 'commit' && l.savingsPlan.name === x.name);
        return `  ${usd(x.committedUsdPerHour)}/h to ${x.name} (${x.provider}, ${x.termYears}-year, ${x.payment === 'none' ? 'no' : x.payment} upfront, ${pct(x.discount, 0)} off on-demand; beats on-demand above ${pct(x.breakEvenUtilisation, 0)} use, this plan uses ${pct(x.usedShare, 0)}): pays for ${covered.map((l) => `${span(counts(l).filter((n) => n > 0))} × ${label(l)}`).join(', ')}${commit ? ` · ${usd(commit.costUsd)}` : ''}`;
      }),
  );
  section(
    'Run your own servers:',
    byModel('on-prem').map((l) => `  ${span(counts(l))} × ${label(l)}, ${busy(l)} of ${T} periods · ${usd(l.costUsd)} energy`),
  );
  section(
    'Keep on spot (paid while it runs):',
    byModel('spot').map((l) => `  ${span(counts(l).filter((n) => n > 0))} × ${label(l)} at ${usd(l.priceUsdPerHour)}/h, ${busy(l)} of ${T} periods · ${usd(l.costUsd)}`),
  );
  section(
    'Burst on demand:',
    byModel('on-demand').filter((l) => !l.savingsPlan).map((l) => `  ${span(counts(l).filter((n) => n > 0))} × ${label(l)} at ${usd(l.priceUsdPerHour)}/h, ${busy(l) === T ? 'every period' : `in ${busy(l)} of ${T} periods: ${when(l.runs, 4)}`} · ${usd(l.costUsd)}`),
  );
  if (p.egressUsd.gt(0)) out.push(`  Data egress: ${usd(p.egressUsd)}`);
  const unused = r.commitments.filter((c) => c.instances === 0);
  if (unused.length)
    out.push('', `Commitments not taken (break-even use): ${unused.map((c) => `${c.offeringId.split('/').pop()} ${c.name}${c.breakEvenUtilisation !== undefined ? ` ${pct(c.breakEvenUtilisation, 0)}` : ''}`).join(' · ')}`);
  out.push('', 'Against the baselines (computed in this run):');
  for (const b of r.baselines) {
    const s = r.savings.find((x) => x.baseline === b.name);
    if (s) out.push(`  ${b.name}: ${usd(s.baselineUsd)} → the plan saves ${usd(s.savingUsd)} (${pct(s.share)})`);
    else out.push(`  ${b.name}: infeasible (${Object.entries(b.unmet).filter(([, u]) => u > 0).map(([c, u]) => `${c} short ${num(u, 1)}`).join(', ')})`);
  }
  if (r.savingSplit) {
    const sp = r.savingSplit;
    const shown = moneyParts(sp.parts.map((x) => x.usd.times(c.perUsd)), c.code);
    out.push(`  Saving against all on-demand at list price, nothing owned (${usd(sp.fromUsd)}): ${sp.parts.map((x, k) => `${x.part} ${shown[k]}`).join(' · ')}`);
  }
  if (r.explanations.length) {
    const top = r.explanations.slice(0, 3);
    const lpOnly = top.some((e) => e.pricedOn !== 'integer plan' && e.savingUsd.gt(0));
    const says = (e: (typeof top)[number]) => (e.savingUsd.gt(0) ? ` saves ${e.pricedOn === 'integer plan' ? usd(e.savingUsd) : `≈ ${usd(e.savingUsd)} (LP)`}` : ' saves nothing');
    out.push(`  Binding (each relaxed alone, the plan re-solved${lpOnly ? '; LP: on the LP relaxation only' : ''}): ${top.map((e) => `${e.relaxation}${says(e)}`).join(' · ')}`);
  }
  out.push('');
  out.push(`${r.solver}: ${r.status}, MIP gap ${pct(r.gap, 2)} proved, ${num(r.work.nodes)} branch-and-bound nodes, ${num(r.timings.totalS, 2)} s. Every period: --detail or --csv FILE.`);
  if (r.work.stoppedBy === 'nodes') out.push(`Stopped by the work limit (${num(r.work.maxNodes)} nodes) before the gap was proved; raise --max-nodes to search further. The same input gives this same plan anywhere.`);
  if (r.work.stoppedBy === 'time') out.push('Warning: stopped by the wall-clock safety limit (--time-limit) before the work limit: this plan may differ on a faster or less loaded machine.');
  return out.flatMap((l) => wrap(l, width)).join('\n');
}

/** Every period of the plan, one row per line and period it runs in. */
export function planCsv(r: PlanResult): string {
  const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = ['period,startHour,offering,provider,region,instanceType,gpu,gpuCount,priceModel,commitment,priceUsdPerHour,instances'];
  const all: [number, string][] = [];
  for (const l of r.plan.lines)
    for (const run of l.runs)
      for (let t = run.from; t <= run.to; t++)
        // A savings plan's commitment is dollars per hour, not instances: its row carries the rate and no count.
        all.push([t, (l.savingsPlan?.role === 'commit' ? [t, t * r.inputs.periodHours, l.offeringId, l.provider, l.region, l.instanceType, '', '', 'savings-plan', l.savingsPlan.name, toPlain(l.priceUsdPerHour), ''] : [t, t * r.inputs.periodHours, l.offeringId, l.provider, l.region, l.instanceType, l.gpu, l.gpuCount, l.priceModel, l.commitment?.name ?? l.savingsPlan?.name ?? '', toPlain(l.priceUsdPerHour), run.count]).map((v) => cell(String(v))).join(',')]);
  all.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return rows.concat(all.map((x) => x[1])).join('\n') + '\n';
}

function abbreviate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** Kept here too for callers that import it from the command. */
export { planToJson };
