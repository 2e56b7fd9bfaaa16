import { Option } from 'commander';
import { listCatalog } from '../../../app/catalog.js';
import { builtinDateSpan } from '../../../core/catalog/builtin.js';
import { toPlain } from '../../../core/money.js';
import { readCatalogDated } from '../../importers/catalog-source.js';
import { stalePriceWarnings, type CatalogDate } from '../../../core/catalog/age.js';
import type { RegisterCommand } from '../context.js';
import { printJson } from '../context.js';
import { money, num, table } from '../render.js';

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export const registerCatalog: RegisterCommand = (program, ctx) => {
  program
    .command('catalog')
    .description('GPU offerings cheapest first, with the price per GPU-hour (built-in list prices or your catalog files)')
    .option('--gpu <type>', 'GPU type, e.g. H100 (repeat or comma-separate for several)', list)
    .option('--min-gpus <n>', 'at least this many GPUs per instance', (v) => Number(v))
    .option('--spot', 'spot prices (only offerings that have one)')
    .option('--provider <name>', 'provider, e.g. aws (repeat or comma-separate)', list)
    .option('--region <name>', 'region (repeat or comma-separate)', list)
    .addOption(new Option('--sort <key>', 'order by instance price or by price per GPU-hour').choices(['price', 'price-per-gpu']).default('price'))
    .option('--catalog <ref>', 'catalog: builtin, a SkyPilot vms.csv or catalog folder (e.g. ~/.sky/catalogs/v8), an FSDL cloud-gpus.csv or a Penny catalog YAML (repeatable; default builtin)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print exact JSON (prices as decimal strings)')
    .addHelpText(
      'after',
      '\nExamples:\n  penny catalog --gpu H100\n  penny catalog --gpu A100,A100-80GB --min-gpus 8 --sort price-per-gpu\n  penny catalog --catalog ../shared/data/prices/fsdl-cloud-gpus-latest.csv --spot\n  penny catalog --catalog builtin --catalog my-offers.yaml --provider aws',
    )
    .action(async (opts: { gpu?: string[]; minGpus?: number; spot?: boolean; provider?: string[]; region?: string[]; sort: 'price' | 'price-per-gpu'; catalog?: string[]; json?: boolean }) => {
      if (opts.minGpus !== undefined && (!Number.isInteger(opts.minGpus) || opts.minGpus < 1)) {
        const { InvalidInput } = await import('../../../core/errors.js');
        throw new InvalidInput('--min-gpus must be a positive integer', [{ path: '--min-gpus', message: 'expected a positive integer' }], 'Example: --min-gpus 8');
      }
      const refs = opts.catalog?.length ? opts.catalog : ['builtin'];
      const dates: CatalogDate[] = [];
      const readDated = async (ref: string) => {
        const r = await readCatalogDated(ref);
        if (r.currency && r.currency !== 'USD') {
          const { InvalidInput } = await import('../../../core/errors.js');
          throw new InvalidInput(`${ref}: its prices are in ${r.currency}; penny catalog lists USD prices`, [{ path: 'currency', file: ref, message: `prices in ${r.currency}`, expected: 'USD' }], `Plan with it instead: a scenario with catalogs: [${ref}] and exchangeRates converting ${r.currency} (docs/planner.md, "Currency").`);
        }
        dates.push(...r.dates);
        return r.offerings;
      };
      const listing = await listCatalog(refs, readDated, { ...(opts.gpu && { gpu: opts.gpu }), ...(opts.minGpus !== undefined && { minGpus: opts.minGpus }), ...(opts.provider && { provider: opts.provider }), ...(opts.region && { region: opts.region }), ...(opts.spot && { spot: true }) }, opts.sort);
      const warnings = stalePriceWarnings(dates, ctx.clock.now());
      for (const w of warnings) ctx.stderr(`warning: ${w}`);
      const builtinNote = refs.includes('builtin') ? `built-in prices of ${builtinDateSpan()}` : undefined;
      if (opts.json) {
        printJson(ctx, {
          sources: listing.sources,
          pricesAsOf: dates.map((d) => ({ catalog: d.ref, asOf: d.asOf, basis: d.basis, ...(d.label && { prices: d.label }) })),
          ...(warnings.length && { warnings }),
          ...(builtinNote && { builtinDate: builtinDateSpan() }),
          priceModel: opts.spot ? 'spot' : 'on-demand',
          offerings: listing.rows.map((r) => ({
            id: r.offering.id,
            provider: r.offering.provider,
            region: r.offering.region,
            instanceType: r.offering.instanceType,
            gpu: r.offering.gpu,
            gpuCount: r.offering.gpuCount,
            vcpus: r.offering.vcpus ?? null,
            memoryGiB: r.offering.memoryGiB ?? null,
            usdPerHour: toPlain(r.usdPerHour),
            usdPerGpuHour: toPlain(r.usdPerGpuHour),
            powerW: r.offering.powerW ?? null,
            source: r.offering.source,
          })),
        });
        return;
      }
      const out: string[] = [];
      out.push(`${listing.rows.length} of ${listing.total} offerings · ${opts.spot ? 'spot' : 'on-demand'} prices · ${refs.map((r) => (r === 'builtin' ? builtinNote : r)).join(' + ')}`);
      out.push('');
      if (listing.rows.length === 0) {
        out.push('No offering matches. Try without --min-gpus or --spot, or another --gpu (penny catalog lists all).');
      } else {
        out.push(
          table(
            [{ header: 'GPU' }, { header: 'Qty', align: 'right' }, { header: 'Provider' }, { header: 'Region' }, { header: 'Instance type' }, { header: 'vCPUs', align: 'right' }, { header: 'Mem GiB', align: 'right' }, { header: 'USD/h', align: 'right' }, { header: 'USD/GPU-h', align: 'right' }],
            listing.rows.map((r) => [r.offering.gpu, String(r.offering.gpuCount), r.offering.provider, r.offering.region, r.offering.instanceType, r.offering.vcpus !== undefined ? num(r.offering.vcpus) : '', r.offering.memoryGiB !== undefined ? num(r.offering.memoryGiB) : '', money(r.usdPerHour, 'USD'), money(r.usdPerGpuHour, 'USD')]),
          ),
        );
      }
      ctx.stdout(out.join('\n'));
    });
};
