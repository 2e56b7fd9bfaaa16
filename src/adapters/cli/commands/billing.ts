/** `penny billing files|remove`: the ingested FOCUS files, their totals, and taking one out. */
import { removeBillingFile } from '../../../app/billing.js';
import { dec } from '../../../core/money.js';
import type { RegisterCommand } from '../context.js';
import { printJson } from '../context.js';
import { withBilling } from '../remote.js';
import type { Command } from 'commander';

import { money, num, table } from '../render.js';

export const registerBilling: RegisterCommand = (program, ctx) => {
  const billing = program
    .command('billing')
    .description('the ingested billing files: list them with their totals, or take one out')
    .addHelpText('after', '\nExamples:\n  penny billing files\n  penny billing remove 3f2a9c1b0d4e');

  billing
    .command('files')
    .description('ingested FOCUS files: rows, period, totals per currency, and which restatements replace them')
    .option('--json', 'print exact JSON')
    .action(async (opts: { json?: boolean }, cmd) => {
      await withBilling(ctx, cmd, async (billing) => {
        const files = await billing.listBillingFiles();
        if (opts.json) return printJson(ctx, files.map(({ columns: _c, ...f }) => f));
        if (files.length === 0) return ctx.stdout('No billing files ingested yet: penny ingest FILE.');
        const rows = files.flatMap((f) =>
          (f.totals.length ? f.totals : [{ currency: f.currency, rows: 0, billed: '0', effective: '0' }]).map((t, i) => [
            i === 0 ? f.id.slice(0, 12) : '',
            i === 0 ? f.path : '',
            i === 0 ? `${f.periodStart?.slice(0, 10) ?? '?'} → ${f.periodEnd?.slice(0, 10) ?? '?'}` : '',
            num(t.rows),
            money(dec(t.billed), t.currency),
            money(dec(t.effective), t.currency),
            i === 0 ? (f.countedRows === f.rows ? 'counted' : f.countedRows === 0 ? `replaced by ${f.replacedBy.map((x) => x.slice(0, 12)).join(', ')}` : `${num(f.countedRows)} rows counted; rest replaced by ${f.replacedBy.map((x) => x.slice(0, 12)).join(', ')}`) : '',
          ]),
        );
        ctx.stdout(table([{ header: 'Id' }, { header: 'File' }, { header: 'Charges' }, { header: 'Rows', align: 'right' }, { header: 'Billed cost', align: 'right' }, { header: 'Effective cost', align: 'right' }, { header: 'Status' }], rows));
      });
    });

  billing
    .command('remove')
    .description('take an ingested file out (its rows, in one transaction); what it had replaced counts again')
    .argument('<id>', 'the file id, or its first characters as `penny billing files` shows them')
    .option('--json', 'print exact JSON')
    .action(async (id: string, opts: { json?: boolean }, cmd) => {
      type Removed = { id: string; path: string; rows?: number; removedRows: number; restoredRows: number; change: { currency: string; effective: string }[] };
      const r = await withBilling<Removed>(
        ctx,
        cmd,
        async (billing) => {
          const x = await removeBillingFile(billing, id);
          return { id: x.file.id, path: x.file.path, rows: x.file.rows, removedRows: x.removedRows, restoredRows: x.restoredRows, change: x.change };
        },
        (server) => server.delete<Removed>(`/api/billing/files/${encodeURIComponent(id)}`),
      );
      if (opts.json) return printJson(ctx, { id: r.id, path: r.path, removedRows: r.removedRows, restoredRows: r.restoredRows, change: r.change });
      ctx.stdout(`Removed ${r.path} (${r.id.slice(0, 12)}): ${r.rows !== undefined ? `${num(r.rows)} rows, ${num(r.removedRows)} of them counted` : `${num(r.removedRows)} counted rows`}${r.restoredRows ? `; ${num(r.restoredRows)} rows it had replaced count again` : ''}.`);
      for (const c of r.change) ctx.stdout(`Total ${c.currency} changed by ${dec(c.effective).isNegative() ? '' : '+'}${money(dec(c.effective), c.currency)}`);
    });
};
