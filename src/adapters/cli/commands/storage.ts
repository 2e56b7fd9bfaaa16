import { rename, stat, writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import { DEFAULT_CODECS, DEFAULT_CPU_USD_PER_HOUR, compressReportToJson, measureCompression } from '../../../app/compression.js';
import type { Command } from 'commander';
import { type StorageBillMonth, type StorageLogEvent, MAX_HORIZON_MONTHS, parseLocalSpec, planStorage, storageBill, storageBillToJson, storagePlanToJson, storagePricesToJson } from '../../../app/storage.js';
import { InvalidInput } from '../../../core/errors.js';
import { dec, isDecimalString, toPlain } from '../../../core/money.js';
import { BUILTIN_STORAGE_CATALOG, GIB, STORAGE_PRICES_DATE, localTier, type StorageProvider, type StorageTier } from '../../../core/storage/prices.js';
import { KNOWN_CODECS, compressionProbe } from '../../importers/compression-probe.js';
import { inventoryFiles, readS3Inventory } from '../../importers/s3-inventory.js';
import { readS3AccessLog } from '../../importers/s3-access-log.js';
import { readStorageObjectsCsv } from '../../importers/storage-objects-csv.js';
import { parseTimestamp } from '../../importers/timestamp.js';
import type { RegisterCommand } from '../context.js';
import { printJson } from '../context.js';
import { money, num, table } from '../render.js';
import { withBilling } from '../remote.js';

const PROVIDERS = ['aws', 'gcp', 'azure'];
const tierName = (id: string) => id.slice(id.indexOf(':') + 1);
const gib = (bytes: number) => num(dec(bytes).div(GIB), 2);
const mib = (bytes: number) => num(dec(bytes).div(1048576), 1);

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidInput(`${flag} must be a whole number ≥ 1`, [{ path: flag, message: 'expected an integer ≥ 1', found: v }], `Example: ${flag} 12`);
  return n;
}

/** `--local purchase=12000,tib=100,months=60,watts=400,kwh=0.20[,pue=1.5][,maintenance=1200][,name=nas]`. */
export const parseLocal = (spec: string): StorageTier => parseLocalSpec(spec, '--local');

async function* concatLogs(files: string[]): AsyncGenerator<StorageLogEvent> {
  for (const f of files) yield* readS3AccessLog(f);
}

export const registerStorage: RegisterCommand = (program, ctx) => {
  const storage = program.command('storage').description('storage cost: tier plans from access history, the storage price catalog');

  storage
    .command('plan')
    .description('the cheapest tier schedule per prefix from an S3 Inventory (and access logs) or an objects CSV, with lifecycle rules')
    .option('--inventory <file>', 'S3 Inventory manifest.json, or one CSV data file (plain or gzip)')
    .option('--inventory-schema <fields>', 'the data file\'s columns when no manifest is given', 'Bucket, Key, Size, LastModifiedDate, StorageClass')
    .option('--access-log <file>', 'S3 server access log file (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--objects <file>', 'CSV of objects: key,size_bytes,created,accessed (read times separated by ;)')
    .addOption(new Option('--provider <name>', 'price the tiers of this cloud').choices(PROVIDERS).default('aws'))
    .option('--horizon <months>', 'months of an object\'s life to plan', '12')
    .option('--prefix-depth <n>', 'plan per prefix of this many key segments', '1')
    .option('--by-object', 'plan each object on its own (small lists)')
    .option('--allow-restore', 'allow tiers whose reads wait hours for a restore (Glacier Flexible Retrieval, Deep Archive, Azure Archive) in months with reads')
    .option('--as-of <time>', 'end of the observation for an objects CSV (default: its latest time)')
    .option('--lifecycle-out <file>', 'write the plan as the provider\'s lifecycle configuration JSON')
    .option('--local <spec>', 'also price everything on local disks or a NAS: purchase=USD,tib=N,months=N,watts=W,kwh=USD[,pue=X][,maintenance=USD/year][,name=NAME]')
    .option('--bill', 'compare with the Storage lines (ServiceCategory Storage) of the FOCUS bills ingested in the workspace')
    .option('--bill-resource <id>', 'bucket name or ARN to match the bills\' ResourceId (repeatable; default: the inventory\'s buckets)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print exact JSON (money as decimal strings)')
    .addHelpText(
      'after',
      `\nPrices: built-in list prices of ${STORAGE_PRICES_DATE} (penny storage prices). Age months are 30 days.\n\nExamples:\n  penny storage plan --inventory manifest.json --access-log logs/2025-03-01-00-00-00-ABC --lifecycle-out lifecycle.json\n  penny storage plan --objects objects.csv --provider gcp --horizon 24 --by-object`,
    )
    .action(async (opts: { inventory?: string; inventorySchema: string; accessLog?: string[]; objects?: string; provider: StorageProvider; horizon: string; prefixDepth: string; byObject?: boolean; allowRestore?: boolean; asOf?: string; lifecycleOut?: string; local?: string; bill?: boolean; billResource?: string[]; json?: boolean }, cmd: Command) => {
      if ((opts.inventory === undefined) === (opts.objects === undefined)) {
        throw new InvalidInput('give either --inventory or --objects', [{ path: '--inventory', message: 'exactly one object source is needed' }], 'Example: penny storage plan --inventory manifest.json --access-log access.log');
      }
      if (opts.objects && opts.accessLog?.length) throw new InvalidInput('--access-log goes with --inventory; an objects CSV lists its reads itself', [{ path: '--access-log', message: 'not with --objects' }], 'Put read times in the CSV\'s accessed column.');
      const horizonMonths = positiveInt('--horizon', opts.horizon);
      // The API's bound: 1e11 months allocated arrays of that length and exited 1.
      if (horizonMonths > MAX_HORIZON_MONTHS) throw new InvalidInput(`--horizon must be at most ${MAX_HORIZON_MONTHS} months`, [{ path: '--horizon', message: `expected 1–${MAX_HORIZON_MONTHS} months`, found: opts.horizon }], 'Example: --horizon 36');
      const prefixDepth = opts.byObject ? Infinity : positiveInt('--prefix-depth', opts.prefixDepth);
      let asOfMs: number | undefined;
      if (opts.asOf !== undefined) {
        asOfMs = parseTimestamp(opts.asOf);
        if (Number.isNaN(asOfMs)) throw new InvalidInput('--as-of is not a timestamp', [{ path: '--as-of', message: 'expected ISO 8601', found: opts.asOf }], 'Example: --as-of 2025-03-31');
      }
      const progress = ctx.progress(Boolean(opts.json));
      // Reading a large inventory is most of the time: show it by bytes read, over all its data files.
      const files = opts.inventory ? await inventoryFiles(opts.inventory, opts.inventorySchema) : { schema: [], files: [opts.objects!] };
      const sizes = await Promise.all(files.files.map(async (f) => (await stat(f)).size));
      progress.start(sizes.reduce((a, b) => a + b, 0), 'reading objects');
      // Bytes read count per data file; a count that goes back down is the next file.
      let before = 0;
      let last = { read: 0, total: 0 };
      const onBytes = (read: number, total: number) => {
        if (read < last.read) before += last.total;
        last = { read, total };
        progress.tick(before + read);
      };
      const objects = opts.inventory ? readS3Inventory(files, onBytes) : readStorageObjectsCsv(opts.objects!, onBytes);
      const logs = opts.accessLog?.length ? concatLogs(opts.accessLog) : undefined;
      const r = await planStorage(objects, logs, { provider: opts.provider, horizonMonths, prefixDepth, allowRestore: opts.allowRestore === true, ...(asOfMs !== undefined && { asOfMs }), ...(opts.local && { localTier: parseLocal(opts.local) }) }, progress);
      let bill: StorageBillMonth[] | undefined;
      if (opts.bill || opts.billResource?.length) {
        bill = await withBilling(ctx, cmd, (billing) => storageBill(billing, opts.billResource?.length ? opts.billResource : r.buckets));
      }
      const json = { ...storagePlanToJson(r), ...(bill && { bill: storageBillToJson(bill, r) }) };
      if (opts.lifecycleOut) {
        // Written whole or not at all: a half-written lifecycle file applied to a bucket would be worse than none.
        const tmp = `${opts.lifecycleOut}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify(r.lifecycle.document, null, 2) + '\n');
        await rename(tmp, opts.lifecycleOut);
      }
      if (opts.json) return printJson(ctx, json);
      const out: string[] = [];
      const win = r.window.fromMs !== undefined ? `reads seen ${new Date(r.window.fromMs).toISOString()} – ${new Date(r.window.toMs).toISOString()}` : `reads listed up to ${new Date(r.window.toMs).toISOString()}`;
      out.push(`${num(r.objects)} objects, ${gib(r.bytes)} GiB, ${num(r.reads)} reads (${win}) · ${r.provider} list prices of ${r.pricesDate} · ${r.horizonMonths} months of each object's life`);
      if (r.localTier && r.totals.local) out.push(`Local (${r.localTier.source}): $${toPlain(r.localTier.storageUsdPerGibMonth.toSignificantDigits(4))}/GiB-month with the box full, no access charges: ${money(r.totals.local, 'USD')} over ${r.horizonMonths} months.`);
      if (r.unmatchedReads > 0) out.push(`${num(r.unmatchedReads)} reads were of keys not in the inventory (deleted since, or another bucket): left out.`);
      if (r.readsBeforeCreation > 0) out.push(`${num(r.readsBeforeCreation)} reads came before their object's creation date (an earlier object under the same key, written again since): left out.`);
      out.push('');
      const shown = r.rows.slice(0, 40);
      out.push(
        table(
          [{ header: 'Prefix' }, { header: 'Objects', align: 'right' }, { header: 'GiB', align: 'right' }, { header: 'Reads/month', align: 'right' }, { header: 'Plan (tier from month)' }, { header: 'Plan USD', align: 'right' }, { header: 'All standard USD', align: 'right' }, { header: '30/90 rule USD', align: 'right' }, { header: 'Auto-tiering USD', align: 'right' }],
          [
            ...shown.map((row) => [row.prefix || '(top level)', num(row.objects), gib(row.bytes), num(row.readsPerMonth, 1), row.plan.steps.map((s) => `${tierName(s.tierId)}@${s.fromMonth}`).join(' → '), money(row.plan.total, 'USD'), money(row.allStandard, 'USD'), money(row.lifecycle3090, 'USD'), row.autoTiering ? money(row.autoTiering, 'USD') : '—']),
            ['Total', num(r.objects), gib(r.bytes), '', '', money(r.totals.plan, 'USD'), money(r.totals.allStandard, 'USD'), money(r.totals.lifecycle3090, 'USD'), r.totals.autoTiering ? money(r.totals.autoTiering, 'USD') : '—'],
          ],
        ),
      );
      if (r.rows.length > shown.length) out.push(`… and ${num(r.rows.length - shown.length)} more prefixes (--json lists all).`);
      out.push('');
      const saving = r.totals.allStandard.minus(r.totals.plan);
      out.push(`The plan saves ${money(saving, 'USD')} over ${r.horizonMonths} months against all standard${r.totals.allStandard.isZero() ? '' : ` (${num(saving.div(r.totals.allStandard).times(100), 1)}%)`}.`);
      const rules = (r.lifecycle.document as { Rules?: unknown[] }).Rules?.length;
      if (bill) {
        out.push('');
        if (bill.length === 0) out.push(`No Storage lines in the ingested bills for ${(opts.billResource?.length ? opts.billResource : r.buckets).join(', ')} (ServiceCategory Storage, ResourceId the bucket or its ARN).`);
        else {
          out.push(`The bills (ServiceCategory Storage, ${[...new Set(bill.flatMap((m) => m.resources))].join(', ')}) against the plan's average month:`);
          out.push(
            table(
              [{ header: 'Month' }, { header: 'Billed (effective)', align: 'right' }, { header: 'Plan per month', align: 'right' }, { header: 'Difference', align: 'right' }],
              bill.map((m) => [m.month, money(m.effective, m.currency), money(r.totals.plan.div(r.horizonMonths), 'USD'), m.currency === 'USD' ? money(m.effective.minus(r.totals.plan.div(r.horizonMonths)), 'USD') : '—']),
            ),
          );
          out.push(`(The plan's month is the average over ${r.horizonMonths} months of each object's life; the bill is this month's ages. All standard by the same model: ${money(r.totals.allStandard.div(r.horizonMonths), 'USD')} a month.)`);
        }
      }
      if (opts.lifecycleOut) out.push(`Lifecycle rules written to ${opts.lifecycleOut}${rules !== undefined ? ` (${rules} rules)` : ''}.`);
      for (const u of r.lifecycle.uploads.slice(0, 10)) out.push(`Upload new ${u.prefix || '(top level)'} objects with storage class ${u.storageClass}: no transition fee${r.lifecycle.day0.includes(u.prefix) ? ' (the rule moves existing ones at day 0)' : ', and a rule cannot move objects there before day 30'}.`);
      ctx.stdout(out.join('\n'));
    });

  storage
    .command('compress')
    .description('measure codecs on your files or folders (gzip levels, brotli, Parquet with zstd via DuckDB): ratio, speed, bytes and money saved')
    .argument('<paths...>', 'files or folders')
    .option('--codecs <list>', `comma-separated, of: ${KNOWN_CODECS.join(', ')}`, DEFAULT_CODECS.join(','))
    .option('--sample-mib <n>', 'measure at most this many MiB (a seeded sample of blocks beyond it)', '64')
    .option('--block-mib <n>', 'size of the blocks sampled and compressed', '4')
    .option('--seed <n>', 'seed of the sample', '1')
    .option('--tier <id>', 'price saved bytes at this tier (penny storage prices)', 'aws:STANDARD')
    .option('--cpu-usd-per-hour <usd>', 'price of one CPU core for an hour', DEFAULT_CPU_USD_PER_HOUR.toFixed())
    .option('--json', 'print exact JSON (money as decimal strings)')
    .addHelpText('after', '\nThe CPU price defaults to an AWS c7i.large vCPU on demand (us-east-1, 2025-03).\n\nExamples:\n  penny storage compress ../shared/data/gpu-telemetry\n  penny storage compress datasets/ --codecs gzip-6,brotli-9,parquet-zstd --sample-mib 256 --tier aws:STANDARD_IA')
    .action(async (paths: string[], opts: { codecs: string; sampleMib: string; blockMib: string; seed: string; tier: string; cpuUsdPerHour: string; json?: boolean }) => {
      const sampleMib = positiveInt('--sample-mib', opts.sampleMib);
      const blockMib = positiveInt('--block-mib', opts.blockMib);
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new InvalidInput('--seed must be a whole number', [{ path: '--seed', message: 'expected an integer', found: opts.seed }]);
      if (!isDecimalString(opts.cpuUsdPerHour)) throw new InvalidInput('--cpu-usd-per-hour is not a number', [{ path: '--cpu-usd-per-hour', message: 'expected a decimal', found: opts.cpuUsdPerHour }], 'Example: --cpu-usd-per-hour 0.05');
      const r = await measureCompression(compressionProbe, paths, { codecs: opts.codecs.split(',').map((c) => c.trim()).filter(Boolean), sampleBytes: sampleMib * 1048576, blockBytes: blockMib * 1048576, seed, tierId: opts.tier, cpuUsdPerHour: dec(opts.cpuUsdPerHour) }, ctx.progress(Boolean(opts.json)));
      if (opts.json) return printJson(ctx, compressReportToJson(r));
      const out: string[] = [];
      out.push(`${num(r.files)} files, ${mib(r.totalBytes)} MiB (${num(r.tabularFiles)} tabular, ${mib(r.tabularBytes)} MiB) · saved bytes priced at ${r.tier.id} $${toPlain(r.tier.storageUsdPerGibMonth)}/GiB-month · CPU at $${toPlain(r.cpuUsdPerHour)}/core-hour`);
      out.push('');
      out.push(
        table(
          [{ header: 'Codec' }, { header: 'Measured', align: 'right' }, { header: 'Ratio', align: 'right' }, { header: '± 95%', align: 'right' }, { header: 'MiB/CPU-s', align: 'right' }, { header: 'Of MiB', align: 'right' }, { header: 'Saved MiB', align: 'right' }, { header: 'Saved USD/month', align: 'right' }, { header: 'USD/month per TiB', align: 'right' }, { header: 'CPU USD once', align: 'right' }],
          r.estimates.map((e) => [e.codec, `${num(e.sampledBlocks)}/${num(e.populationBlocks)}`, num(e.ratio, 3), num(1.96 * e.ratioSe, 3), Number.isFinite(e.mibPerCpuS) ? num(e.mibPerCpuS, 1) : '—', mib(e.totalBytes), mib(e.savedBytes), money(e.savedUsdPerMonth, 'USD'), money(e.savedUsdPerTibMonth, 'USD'), money(e.cpuUsd, 'USD')]),
        ),
      );
      out.push('', 'Ratio = compressed ÷ original, measured on blocks (Parquet: on whole tabular files); ± is the 95% sampling error (0 when everything was measured).');
      for (const s of r.skipped.slice(0, 5)) out.push(`Not converted to Parquet: ${s.path}: ${s.reason}`);
      ctx.stdout(out.join('\n'));
    });

  storage
    .command('prices')
    .description('the built-in storage price catalog: tiers, retrieval, requests, minimum durations, with sources')
    .addOption(new Option('--provider <name>', 'only this cloud').choices(PROVIDERS))
    .option('--local <spec>', 'add local disks or a NAS priced from the TCO terms: purchase=USD,tib=N,months=N,watts=W,kwh=USD[,pue=X][,maintenance=USD/year][,name=NAME]')
    .option('--json', 'print exact JSON (money as decimal strings)')
    .action((opts: { provider?: string; local?: string; json?: boolean }) => {
      const local = opts.local ? parseLocal(opts.local) : undefined;
      const catalog = local ? { ...BUILTIN_STORAGE_CATALOG, tiers: [...BUILTIN_STORAGE_CATALOG.tiers, local] } : BUILTIN_STORAGE_CATALOG;
      const tiers = catalog.tiers.filter((t) => !opts.provider || t.provider === opts.provider || t.provider === 'local');
      const auto = BUILTIN_STORAGE_CATALOG.autoTiering.filter((a) => !opts.provider || a.provider === opts.provider);
      if (opts.json) {
        const j = storagePricesToJson(opts.provider, catalog);
        return printJson(ctx, { ...j, tiers: [...j.tiers, ...(local && opts.provider ? storagePricesToJson('local', catalog).tiers : [])] });
      }
      const usd = (d: ReturnType<typeof dec>) => `$${toPlain(d)}`;
      const out = [`Storage list prices of ${BUILTIN_STORAGE_CATALOG.date} (USD; GiB = 2^30 bytes; requests per 1,000)`, ''];
      out.push(
        table(
          [{ header: 'Tier' }, { header: 'Storage /GiB-month', align: 'right' }, { header: 'Retrieval /GiB', align: 'right' }, { header: 'Read /1k', align: 'right' }, { header: 'Write /1k', align: 'right' }, { header: 'Transition /1k', align: 'right' }, { header: 'Min days', align: 'right' }, { header: 'Min object', align: 'right' }, { header: 'Access' }],
          tiers.map((t) => [t.id, usd(t.storageUsdPerGibMonth), usd(t.retrievalUsdPerGib), usd(t.readUsdPer1000), usd(t.writeUsdPer1000), usd(t.transitionUsdPer1000), num(t.minStorageDays), t.minBillableObjectBytes ? `${t.minBillableObjectBytes / 1024} KiB` : '—', t.instantAccess ? 'instant' : 'restore first']),
        ),
      );
      for (const a of auto) out.push('', `${a.provider}:${a.name}: ${usd(a.monitoringUsdPer1000ObjectsMonth)} per 1,000 objects ≥ ${a.minMonitoredObjectBytes / 1024} KiB a month; ${a.steps.map((s) => `${usd(s.storageUsdPerGibMonth)}/GiB-month after ${s.afterIdleDays} idle days`).join(', ')}; no retrieval fees`);
      out.push('', 'Sources:', ...[...new Set([...tiers.map((t) => t.source), ...auto.map((a) => a.source)])].map((s) => `  ${s}`));
      ctx.stdout(out.join('\n'));
    });
};
