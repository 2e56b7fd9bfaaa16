import { Option } from 'commander';
import { dateOption } from '../../importers/timestamp.js';
import { allocate, billingReport, dimensionLabel, parseDimension } from '../../../app/billing.js';
import { InvalidInput } from '../../../core/errors.js';
import { dec, sum } from '../../../core/money.js';
import type { RegisterCommand } from '../context.js';
import { globalOpts, printJson } from '../context.js';
import { bar, money, moneyParts, pct, table } from '../render.js';
import { HttpBillingStore, serverFor } from '../remote.js';
import type { BillingStore } from '../../../app/billing-ports.js';


const UNKNOWN = '—';

export const registerReport: RegisterCommand = (program, ctx) => {
  program
    .command('report')
    .description('billing spend grouped by any FOCUS column or tag, over time, with list vs effective cost')
    .option('--by <dimensions>', 'comma-separated FOCUS columns or tag:KEY (e.g. ServiceName,RegionId,tag:team)', 'ServiceName')
    .option('--from <date>', 'charges starting on or after (YYYY-MM-DD or ISO 8601)')
    .option('--to <date>', 'charges starting before')
    .addOption(new Option('--granularity <g>', 'also split by period').choices(['day', 'month']))
    .option('--allocate <tag>', 'showback: allocate cost to the owners in tag:KEY, sharing untagged cost')
    .addOption(new Option('--shared <rule>', 'with --allocate: how untagged cost is shared').choices(['proportional', 'even']).default('proportional'))
    .addOption(new Option('--idle <rule>', 'with --allocate: idle cost (unused commitments) shown apart, or shared like untagged cost').choices(['apart', 'shared']).default('apart'))
    .option('--commitments', 'commitment discount utilisation (used vs unused)')
    .option('--json', 'print exact JSON')
    .addHelpText('after', '\nExamples:\n  penny report --by ServiceName,RegionId\n  penny report --by tag:team --granularity month --from 2026-09-01\n  penny report --allocate tag:team --shared even\n  penny report --commitments --json')
    .action(async (opts: { by: string; from?: string; to?: string; granularity?: 'day' | 'month'; allocate?: string; shared: 'proportional' | 'even'; idle: 'apart' | 'shared'; commitments?: boolean; json?: boolean }, cmd) => {
      // The three reports read different options; one given to a report that does not read it ran
      // as if absent (`--allocate tag:team --by RegionId` printed showback by team, no word).
      const given = (o: string) => cmd.getOptionValueSource(o) === 'cli';
      const mode = opts.commitments ? '--commitments' : opts.allocate ? '--allocate' : undefined;
      const unread = [
        ...(mode && opts.allocate && opts.commitments ? ['--allocate'] : []),
        ...(mode ? [...(given('by') ? ['--by'] : []), ...(given('granularity') ? ['--granularity'] : [])] : []),
        ...(mode !== '--allocate' ? [...(given('shared') ? ['--shared'] : []), ...(given('idle') ? ['--idle'] : [])] : []),
      ];
      if (unread.length) {
        throw new InvalidInput(
          `${unread.join(', ')} ${mode ? `cannot be used with ${mode}` : unread.length > 1 ? 'go with --allocate' : 'goes with --allocate'}`,
          unread.map((f) => ({ path: f, message: mode ? `not read by ${mode}` : 'needs --allocate tag:KEY' })),
          mode === '--allocate' ? 'Showback groups by the --allocate tag only: run penny report --by … apart for other groupings.' : mode === '--commitments' ? 'Commitment utilisation is one row per commitment: run the other report apart.' : 'Add --allocate tag:KEY (e.g. tag:team), or leave them out.',
        );
      }
      const from = dateOption('--from', opts.from);
      const to = dateOption('--to', opts.to);
      const workspaceDir = ctx.workspaceDir(globalOpts(cmd).workspace);
      // While `penny serve` holds the workspace, the same report is asked of it.
      const server = await serverFor(ctx, workspaceDir);
      const ws = server ? undefined : await ctx.openWorkspace(workspaceDir);
      const billing: BillingStore = server ? new HttpBillingStore(server) : ws!.billing;
      try {
        if ((await billing.listBillingFiles()).length === 0) throw new InvalidInput('no billing data in this workspace', [], 'Ingest a FOCUS export first: penny ingest FILE.');
        if (opts.commitments) {
          const rows = await billing.commitmentUtilisation({ ...(from && { from }), ...(to && { to }) });
          if (opts.json) return printJson(ctx, rows.map((r) => ({ ...r, utilisation: dec(r.used).plus(r.unused).isZero() ? null : dec(r.used).div(dec(r.used).plus(r.unused)).toDecimalPlaces(6).toNumber() })));
          if (!rows.length) return ctx.stdout('No commitment discount usage (CommitmentDiscountStatus Used/Unused) in the data.');
          ctx.stdout(table([{ header: 'Commitment' }, { header: 'Used', align: 'right' }, { header: 'Unused', align: 'right' }, { header: 'Utilisation', align: 'right' }, { header: '' }], rows.map((r) => {
            const u = dec(r.used).plus(r.unused).isZero() ? 0 : dec(r.used).div(dec(r.used).plus(r.unused)).toNumber();
            return [r.commitmentId, money(dec(r.used), r.currency), money(dec(r.unused), r.currency), pct(u), bar(u, 20)];
          })));
          return;
        }
        if (opts.allocate) {
          const dim = parseDimension(opts.allocate);
          if (dim.kind !== 'tag') throw new InvalidInput('--allocate takes tag:KEY, e.g. tag:team', [{ path: '--allocate', message: 'not a tag', found: opts.allocate }]);
          const result = await allocate(billing, { tag: dim.key, shared: opts.shared, idle: opts.idle, ...(from && { from }), ...(to && { to }) });
          if (opts.json) return printJson(ctx, result.map((c) => ({ currency: c.currency, unallocated: c.unallocated.toFixed(), unshared: c.unshared.toFixed(), idle: c.idle.toFixed(), shared: opts.shared, owners: c.owners.map((o) => ({ [dim.key]: o.key, direct: o.direct.toFixed(), shared: o.shared.toFixed(), total: o.total.toFixed() })) })));
          for (const c of result) {
            const how = c.owners.length ? `shared ${opts.shared === 'even' ? 'evenly' : 'in proportion to direct cost'}` : `not shared: no ${c.currency} charge has tag:${dim.key}`;
            ctx.stdout(`Showback by tag:${dim.key} (${c.currency}); cost without the tag (${money(c.unallocated, c.currency)}) ${how}`);
            // Each column shown so that its cents add up to its total (an even third of $100 is
            // $33.34 once and $33.33 twice, not $33.33 three times under a total of $100.00).
            const extra = [...(c.unshared.isZero() ? [] : [{ label: `(no ${dim.key}: untagged, not shared)`, amount: c.unshared }]), ...(c.idle.gt(0) ? [{ label: '(idle: unused commitments)', amount: c.idle }] : [])];
            const direct = moneyParts(c.owners.map((o) => o.direct), c.currency);
            const shared = moneyParts(c.owners.map((o) => o.shared), c.currency);
            const total = moneyParts([...c.owners.map((o) => o.total), ...extra.map((x) => x.amount)], c.currency);
            const rows = [...c.owners.map((o, i) => [o.key ?? '', direct[i]!, shared[i]!, total[i]!]), ...extra.map((x, i) => [x.label, '', '', total[c.owners.length + i]!])];
            rows.push(['Total', money(sum(c.owners.map((o) => o.direct)), c.currency), money(c.unallocated.minus(c.unshared), c.currency), money(sum(c.owners.map((o) => o.total)).plus(c.unshared).plus(c.idle), c.currency)]);
            ctx.stdout(table([{ header: dim.key }, { header: 'Direct', align: 'right' }, { header: 'Shared', align: 'right' }, { header: 'Total', align: 'right' }], rows));
          }
          return;
        }
        const by = opts.by.split(',').filter((s) => s.trim()).map(parseDimension);
        const rows = await billingReport(billing, { by, ...(from && { from }), ...(to && { to }), ...(opts.granularity && { granularity: opts.granularity }) });
        if (opts.json) return printJson(ctx, rows.map((r) => ({ ...Object.fromEntries(by.map((d, i) => [dimensionLabel(d), r.keys[i]])), ...(r.period && { period: r.period }), currency: r.currency, billedCost: r.billed, effectiveCost: r.effective, listCost: r.list, rows: r.rows })));
        // An unknown list cost (a group with rows that have none) is shown as unknown, and makes its
        // currency's total list cost unknown: counting it as 0 would print a figure that is wrong.
        const totals = new Map<string, { eff: ReturnType<typeof dec>; billed: ReturnType<typeof dec>; list: ReturnType<typeof dec> | null }>();
        for (const r of rows) {
          const t = totals.get(r.currency) ?? { eff: dec(0), billed: dec(0), list: dec(0) };
          totals.set(r.currency, { eff: t.eff.plus(r.effective), billed: t.billed.plus(r.billed), list: t.list === null || r.list === null ? null : t.list.plus(r.list) });
        }
        const listCell = (v: ReturnType<typeof dec> | string | null, c: string) => (v === null ? UNKNOWN : money(dec(v), c));
        const body = rows.map((r) => {
          const tot = totals.get(r.currency)!.eff;
          const share = tot.isZero() ? 0 : dec(r.effective).div(tot).toNumber();
          return [...(r.period ? [r.period] : []), ...r.keys.map((k) => k ?? '(none)'), listCell(r.list, r.currency), money(dec(r.billed), r.currency), money(dec(r.effective), r.currency), pct(share), bar(share, 16)];
        });
        for (const [c, t] of totals) body.push([...(opts.granularity ? [''] : []), `Total ${c}`, ...by.slice(1).map(() => ''), listCell(t.list, c), money(t.billed, c), money(t.eff, c), '', '']);
        ctx.stdout(table([...(opts.granularity ? [{ header: opts.granularity === 'day' ? 'Day' : 'Month' }] : []), ...by.map((d) => ({ header: dimensionLabel(d) })), { header: 'List cost', align: 'right' as const }, { header: 'Billed cost', align: 'right' as const }, { header: 'Effective cost', align: 'right' as const }, { header: 'Share', align: 'right' as const }, { header: '' }], body));
        if (rows.some((r) => r.list === null)) ctx.stdout(`${UNKNOWN} list cost unknown: some charges in the group have no ListCost.`);
      } finally {
        await ws?.close();
      }
    });
};
