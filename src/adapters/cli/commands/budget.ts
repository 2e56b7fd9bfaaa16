import { dateOption } from '../../importers/timestamp.js';
import { budgetInput, budgetReport, budgetStatusToJson, budgetToJson, invalidBudgetToJson, invalidBudgetsError, parseBudgetScope, scopeText, setBudget } from '../../../app/billing.js';
import type { BudgetRecord } from '../../../app/billing-ports.js';
import { InvalidInput, NotFound } from '../../../core/errors.js';
import { dec } from '../../../core/money.js';
import type { RegisterCommand } from '../context.js';
import { globalOpts, printJson, withWorkspace } from '../context.js';
import { serverFor } from '../remote.js';
import type { Action, BudgetStatus } from '../../../core/finops/budget.js';
import { bar, money, num, pct, pctClosed, table } from '../render.js';
import { replanUnderBudget, type Replan } from '../../../app/replan.js';
import { loadPlanScenario } from '../../importers/plan-scenario.js';

/** --scope's text as a budget scope (the same reading the API gives a body's scope). */
export const parseScope = (text: string): BudgetRecord['scope'] => parseBudgetScope(text);

const scopeLabel = scopeText;

type BudgetStatusJson = ReturnType<typeof budgetStatusToJson>;
type InvalidBudgetJson = ReturnType<typeof invalidBudgetToJson>;
type BudgetJson = ReturnType<typeof budgetToJson>;
const budgetFromJson = (j: BudgetJson): BudgetRecord => ({ ...j, scope: parseBudgetScope(j.scope) });

/** A status as the API sends it, back to what the renderer and --replan take (exact: money is decimal text). */
function budgetStatusFromJson(j: BudgetStatusJson): BudgetStatus & { forecastMethod: string; scope: BudgetRecord['scope']; notes: string[] } {
  return {
    name: j.name,
    currency: j.currency,
    amount: dec(j.amount),
    period: j.period,
    spent: dec(j.spent),
    spentShare: dec(j.spentShare),
    forecast: dec(j.forecast),
    forecastShare: dec(j.forecastShare),
    overrun: dec(j.overrun),
    alerts: j.alerts.map((a) => ({ threshold: a.threshold, kind: a.kind, amount: dec(a.amount) })),
    actions: j.actions.map((a) => ({ ...a, saving: dec(a.saving), closesCumulative: dec(a.closesCumulative) }) as unknown as Action),
    closesGap: j.closesGap,
    forecastMethod: j.forecastMethod ?? '',
    scope: !j.scope || j.scope === 'all spend' ? { kind: 'all' } : parseScope(j.scope),
    notes: j.notes,
  };
}

export const registerBudget: RegisterCommand = (program, ctx) => {
  const budget = program
    .command('budget')
    .description('monthly budgets on billing spend: burn, forecast overrun, alerts and the actions that close it')
    .addHelpText('after', '\nExamples:\n  penny budget set gpu-cloud --amount 120000 --scope tag:team=research --thresholds 50,80,100\n  penny budget status\n  penny budget list --json');

  budget
    .command('set')
    .description('create or replace a monthly budget')
    .argument('<name>')
    .requiredOption('--amount <amount>', 'budget per month, in --currency')
    .option('--currency <code>', 'ISO 4217 currency', 'USD')
    .option('--scope <scope>', 'all, COLUMN=VALUE (e.g. ServiceName=AwesomeDB) or tag:KEY=VALUE', 'all')
    .option('--thresholds <list>', 'alert thresholds in % of the budget', '50,80,100')
    .option('--json', 'print the budget as JSON')
    .addHelpText('after', '\nExample:\n  penny budget set research --amount 50000 --scope tag:team=research')
    .action(async (name: string, opts: { amount: string; currency: string; scope: string; thresholds: string; json?: boolean }, cmd) => {
      const thresholds = opts.thresholds.split(',').map((t) => Number(t.trim()));
      const input = budgetInput(name, { amount: opts.amount, currency: opts.currency, scope: opts.scope, thresholds });
      const currency = input.currency;
      // While `penny serve` holds the workspace, the server sets it (the same checks and use case).
      const server = await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace));
      const rec = server
        ? budgetFromJson(await server.put<BudgetJson>(`/api/budgets/${encodeURIComponent(name)}`, { amount: input.amount, currency: input.currency, scope: scopeText(input.scope), thresholds: input.thresholds }))
        : await withWorkspace(ctx, cmd, (ws) => setBudget(ws.billing, ctx.clock, input, '--scope'));
      if (opts.json) printJson(ctx, rec);
      else ctx.stdout(`Budget ${rec.name}: ${money(dec(rec.amount), currency)} a month on ${scopeLabel(rec.scope)}; alerts at ${thresholds.join('%, ')}%`);
    });

  budget
    .command('list')
    .description('the budgets of the workspace')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd) => {
      const server = await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace));
      const list = server ? (await server.get<BudgetJson[]>('/api/budgets')).map(budgetFromJson) : await withWorkspace(ctx, cmd, (ws) => ws.billing.listBudgets());
      if (opts.json) return printJson(ctx, list);
      if (!list.length) return ctx.stdout('No budgets yet: penny budget set NAME --amount N');
      ctx.stdout(table([{ header: 'Budget' }, { header: 'Per month', align: 'right' }, { header: 'Scope' }, { header: 'Alerts at' }], list.map((b) => [b.name, money(dec(b.amount), b.currency), scopeLabel(b.scope), b.thresholds.map((t) => `${t}%`).join(' ')])));
    });

  budget
    .command('delete')
    .description('remove a budget')
    .argument('<name>')
    .action(async (name: string, _opts, cmd) => {
      const server = await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace));
      // The server answers 404 with the same message for a budget it does not have.
      const gone = server ? (await server.delete<{ deleted: string }>(`/api/budgets/${encodeURIComponent(name)}`), true) : await withWorkspace(ctx, cmd, (ws) => ws.billing.deleteBudget(name));
      if (!gone) throw new NotFound(`no budget named ${JSON.stringify(name)}`, 'List them with: penny budget list.');
      ctx.stdout(`Deleted budget ${name}`);
    });

  budget
    .command('status')
    .description('burn to date, forecast to month end, alerts, and actions when an overrun is forecast')
    .option('--at <date>', 'measure as of this date (default: where the billing data ends)')
    .option('--replan <plan.yaml>', 're-plan capacity (a plan scenario) under what is left of the first budget forecast to overrun')
    .option('--json', 'print exact JSON')
    .addHelpText('after', '\nThe month is the calendar month (UTC) of --at (default: where the billing data ends); spend to date counts\ncharges before it (pro rata for one spanning it), the forecast the rest of the month (docs/billing.md). Actions come from the workspace\'s scenario savings\n(monthly), its GPU telemetry waste findings and unused commitments in the billing data, ordered by\nsaving per unit of effort.\n\nExample:\n  penny budget status')
    .action(async (opts: { at?: string; replan?: string; json?: boolean }, cmd) => {
      const at = dateOption('--at', opts.at);
      // While `penny serve` holds the workspace, the server measures the budgets (the same use case).
      const server = await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace));
      let statuses: ReturnType<typeof budgetStatusFromJson>[];
      // Budgets that cannot be measured are reported after the others (and the command exits 2).
      let invalid: InvalidBudgetJson[];
      if (server) {
        const all = await server.get<(BudgetStatusJson | InvalidBudgetJson)[]>('/api/budgets/status', { at });
        statuses = all.filter((j): j is BudgetStatusJson => !('problem' in j)).map(budgetStatusFromJson);
        invalid = all.filter((j): j is InvalidBudgetJson => 'problem' in j);
      } else {
        const r = await withWorkspace(ctx, cmd, (ws) => budgetReport(ws.store, ws.billing, { ...(at && { at }), telemetry: ws.telemetry }));
        statuses = r.statuses;
        invalid = r.invalid.map(invalidBudgetToJson);
      }
      const failIfInvalid = () => {
        if (invalid.length) throw invalidBudgetsError(invalid.map((b) => ({ name: b.name, problem: { message: b.problem.title, hint: b.problem.hint } })));
      };
      let replan: Replan | undefined;
      if (opts.replan) {
        const target = statuses.find((s) => s.overrun.gt(0) && s.currency === 'USD') ?? statuses.find((s) => s.currency === 'USD') ?? statuses[0];
        if (!target) throw new InvalidInput('--replan needs a budget', [], 'Set one first: penny budget set NAME --amount N.');
        const loaded = await loadPlanScenario(opts.replan);
        replan = await replanUnderBudget(target, loaded.inputs, ctx.solver());
      }
      const replanJson = replan && {
        budget: replan.budget,
        planHours: replan.planHours,
        plannedHours: replan.plannedHours,
        hoursLeft: replan.hoursLeft,
        planBudgetUsd: replan.planBudgetUsd.toFixed(),
        ...(replan.unconstrainedUsd && { unconstrainedUsd: replan.unconstrainedUsd.toFixed() }),
        ...(replan.constrainedUsd && { constrainedUsd: replan.constrainedUsd.toFixed() }),
        ...(replan.infeasible && { infeasible: replan.infeasible }),
        ...(replan.note && { note: replan.note }),
      };
      if (opts.json) {
        const budgets = [...statuses.map(budgetStatusToJson), ...invalid];
        printJson(ctx, replan ? { budgets, replan: replanJson } : budgets);
        return failIfInvalid();
      }
      if (!statuses.length && !invalid.length) return ctx.stdout('No budgets yet: penny budget set NAME --amount N');
      for (const s of statuses) {
        const c = s.currency;
        const month = s.period.start.slice(0, 7);
        ctx.stdout(`${s.name} · ${scopeLabel(s.scope)} · ${month} · data to ${s.period.asOf.slice(0, 16).replace('T', ' ')} UTC`);
        for (const n of s.notes) ctx.stdout(`  note: ${n}`);
        ctx.stdout(table([{ header: '' }, { header: `Amount (${c})`, align: 'right' }, { header: 'Of budget', align: 'right' }, { header: '' }], [
          ['Budget', money(s.amount, c), '', ''],
          ['Spent to date', money(s.spent, c), pct(s.spentShare), bar(Math.min(1, s.spentShare.toNumber()), 24)],
          ['Forecast', money(s.forecast, c), pct(s.forecastShare), bar(Math.min(1, s.forecastShare.toNumber()), 24)],
        ], { indent: '  ' }));
        ctx.stdout(`  forecast by ${s.forecastMethod}`);
        for (const a of s.alerts) ctx.stdout(`  ${a.kind === 'actual' ? 'ALERT' : 'WARNING'}: ${a.kind === 'actual' ? 'spend has passed' : 'the forecast passes'} ${a.threshold}% (${money(a.amount, c)})`);
        if (s.overrun.gt(0)) {
          ctx.stdout(`  Forecast overrun: ${money(s.overrun, c)}.${s.actions.length ? ` Actions, by saving per unit of effort${s.closesGap ? ' (together they close it)' : ' (not enough to close it)'}:` : ' No action found in the workspace data to close it.'}`);
          if (s.actions.length) ctx.stdout(table([{ header: '#' }, { header: 'Action' }, { header: `Saving/month (${c})`, align: 'right' }, { header: 'Effort' }, { header: 'Gap closed', align: 'right' }], s.actions.map((a, i) => [String(i + 1), a.title, money(a.saving, c), a.effort, pctClosed(a.closesCumulative)]), { indent: '  ' }));
        } else ctx.stdout('  On track: the forecast is within the budget.');
        ctx.stdout('');
      }
      for (const b of invalid) ctx.stdout(`${b.name} · ${b.scope} · cannot be measured (below)\n`);
      if (replan) {
        if (!replan.unconstrainedUsd) {
          ctx.stdout(`Re-plan of ${opts.replan} under budget ${replan.budget}: ${replan.note}`);
          return failIfInvalid();
        }
        ctx.stdout(`Re-plan of ${opts.replan} under budget ${replan.budget}: ${money(replan.planBudgetUsd, 'USD')} for ${num(replan.plannedHours)} h (what is left this month, pro rata over the ${num(replan.hoursLeft, 1)} h left)`);
        if (replan.note) ctx.stdout(`  note: ${replan.note}`);
        ctx.stdout(`  without the budget: ${money(replan.unconstrainedUsd, 'USD')}`);
        if (replan.constrainedUsd) ctx.stdout(`  within the budget:  ${money(replan.constrainedUsd, 'USD')} (the plan fits; penny plan with budgetUsd: ${replan.planBudgetUsd.toFixed()} shows it)`);
        else if (replan.infeasible) {
          ctx.stdout(`  no plan meets all demand within it: ${replan.infeasible.message}`);
          for (const d of replan.infeasible.detail) ctx.stdout(`    ${d}`);
          if (replan.infeasible.hint) ctx.stdout(`  To fix: ${replan.infeasible.hint}`);
        }
      }
      failIfInvalid();
    });
};
