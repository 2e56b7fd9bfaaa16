import { readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { groupDeliveries } from '../../../core/billing/deliveries.js';
import { Option } from 'commander';
import { deliveryId, ingestFocus, type IngestResult } from '../../../app/billing.js';
import { InvalidInput } from '../../../core/errors.js';
import { dec } from '../../../core/money.js';
import { focusHeader, looksLikeFocus } from '../../importers/focus.js';
import { focusSource } from '../../importers/focus-thread.js';
import { readCsvHeader, sniffText } from '../../importers/csv.js';
import { hostFromPath, telemetryIo } from '../../importers/telemetry-io.js';
import { detect as detectTelemetry, ingestNvidiaSmi, ingestPrometheus } from '../../../app/telemetry.js';
import type { Workspace } from '../../../app/workspace.js';
import type { CliContext, RegisterCommand } from '../context.js';
import { givenFlags, globalOpts, printJson } from '../context.js';
import { money, num, table } from '../render.js';
import { serverFor, type ServerApi } from '../remote.js';

/** A kind of file `penny ingest` knows: how to recognise it and how to take it in. */
export interface IngestKind {
  name: string;
  detect(path: string): Promise<boolean>;
  ingest(ctx: CliContext, ws: Workspace, path: string, opts: { json: boolean; currency?: string; host?: string; root?: string; delivery?: string }): Promise<IngestResult | Record<string, unknown>>;
}

export const ingestKinds: IngestKind[] = [
  {
    name: 'nvidia-smi',
    detect: async (path) => detectTelemetry(await readCsvHeader(path).catch(() => [])) === 'nvidia-smi',
    ingest: async (ctx, ws, path, opts) => {
      const r = await ingestNvidiaSmi(ws.telemetry, ws.clock, telemetryIo, path, ctx.progress(opts.json), { host: opts.host ?? hostFromPath(path, opts.root) });
      return { status: r.created ? 'ingested' : 'already-ingested', telemetry: r };
    },
  },
  {
    name: 'focus',
    detect: async (path) => looksLikeFocus(await focusHeader(path).catch(() => [])),
    ingest: async (ctx, ws, path, opts) =>
      ingestFocus(ws.billing, ws.clock, path, await focusSource(path), { ...(opts.currency && { currency: opts.currency }), ...(opts.delivery && { delivery: opts.delivery }) }, ctx.progress(opts.json)),
  },
];

/**
 * The delivery of each file that is a part of one (groupDeliveries): its id hashes the folder,
 * the name pattern and each part's size and modification time, so re-running an interrupted
 * ingest finds the same delivery, while a later run of the export (rewritten parts) is a new
 * delivery that restates the old one.
 */
async function deliveryIds(files: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const [key, parts] of groupDeliveries(files.map((p) => ({ path: p, dir: dirname(resolve(p)), name: basename(p) })))) {
    const h = createHash('sha256').update(key);
    for (const p of [...parts].sort()) {
      const st = await stat(p);
      h.update(`\u0000${basename(p)}\u0000${st.size}\u0000${st.mtimeMs}`);
    }
    const id = `delivery:${h.digest('hex').slice(0, 32)}`;
    for (const p of parts) ids.set(p, id);
  }
  return ids;
}

async function filesOf(path: string): Promise<string[]> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new InvalidInput(`cannot read ${path}: no such file or directory`, [{ path: '', file: path, message: 'not found' }], 'Check the path.');
  if (!st.isDirectory()) return [path];
  // Exports often come as a tree (one folder per month or account): walk it, in name order.
  const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
  return (await Promise.all(names.map((n) => filesOf(join(path, n))))).flat();
}

export const registerIngest: RegisterCommand = (program, ctx) => {
  program
    .command('ingest')
    .description('take billing exports (FOCUS CSV, gzip or Parquet) and nvidia-smi logs into the workspace, once each')
    .argument('<path>', 'a file, a folder whose files are ingested one by one, or a Prometheus URL (DCGM metrics)')
    .addOption(new Option('--kind <kind>', 'what the files are (default: recognised from the header)').choices(ingestKinds.map((k) => k.name)))
    .option('--currency <code>', 'currency of amounts when the export has no BillingCurrency column (default USD)')
    .option('--from <time>', 'Prometheus: range start (ISO 8601)')
    .option('--to <time>', 'Prometheus: range end (ISO 8601)')
    .option('--step <seconds>', 'Prometheus: resolution in seconds', '15')
    .option('--host <name>', 'nvidia-smi: host of the GPUs (default: a hostname column in the file, else the file\'s folder in a folder ingest, else its name)')
    .option('--delivery <id>', 'FOCUS: the files are the parts of one delivery (one export run): they add up and never restate one another (default: parts recognised by name, e.g. part-00001)')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', '\nEach file is one transaction: all its rows or none. The same rows again (in any encoding) change nothing; a fuller or later export of the same billing account and period replaces the earlier one (penny billing files lists them).\n\nExamples:\n  penny ingest exports/focus-2026-10.csv.gz\n  penny ingest exports/ --kind focus --json')
    .action(async (path: string, opts: { kind?: string; currency?: string; json?: boolean; from?: string; to?: string; step: string; host?: string; delivery?: string }, cmd) => {
      // A range given with files does not filter them (each is ingested whole): refused, not ignored.
      const isUrl = /^https?:\/\//i.test(path);
      const flags = givenFlags(cmd, isUrl ? ['kind', 'currency', 'host', 'delivery'] : ['from', 'to', 'step']);
      if (flags.length) {
        throw new InvalidInput(
          `${flags.join(', ')} ${flags.length > 1 ? 'apply' : 'applies'} to ${isUrl ? 'files, not a Prometheus URL' : 'a Prometheus URL, not files: each file is ingested whole'}`,
          flags.map((f) => ({ path: f, message: isUrl ? 'files only' : 'Prometheus only' })),
          isUrl ? `Leave ${flags.length > 1 ? 'them' : 'it'} out for a Prometheus URL.` : `Leave ${flags.length > 1 ? 'them' : 'it'} out (penny report --from/--to reports a range of what is stored).`,
        );
      }
      if (/^https?:\/\//i.test(path)) {
        const fromMs = Date.parse(opts.from ?? '');
        const toMs = Date.parse(opts.to ?? '');
        const stepS = Number(opts.step);
        if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || !(stepS > 0)) throw new InvalidInput('a Prometheus URL needs --from and --to (ISO 8601) and a positive --step', [{ path: '--from/--to', message: 'missing or not a time', found: `${opts.from} ${opts.to}` }], 'e.g. penny ingest http://127.0.0.1:9090 --from 2024-05-01T00:00Z --to 2024-05-01T06:00Z');
        if (await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace))) throw new InvalidInput('a Prometheus ingest cannot go through the Penny server holding this workspace (yet)', [], 'Stop `penny serve` for the ingest, or use a PostgreSQL database (--database), which several processes can open.');
        const ws = await ctx.openWorkspace(ctx.workspaceDir(globalOpts(cmd).workspace));
        try {
          const r = await ingestPrometheus(ws.telemetry, ws.clock, telemetryIo, path, { fromMs, toMs, stepS }, ctx.progress(Boolean(opts.json)));
          if (opts.json) return printJson(ctx, [{ path, kind: 'prometheus', result: { status: r.created ? 'ingested' : 'already-ingested', telemetry: r } }]);
          ctx.stdout(r.created ? `Ingested ${num(r.samples)} samples of ${r.gpus} GPU(s) from ${path} (DCGM metrics)` : `Already ingested (same answer from ${path}); nothing changed.`);
        } finally {
          await ws.close();
        }
        return;
      }
      const files = await filesOf(path);
      const delivery = opts.delivery !== undefined ? deliveryId(opts.delivery) : undefined;
      const deliveries = delivery ? undefined : await deliveryIds(files);
      const workspaceDir = ctx.workspaceDir(globalOpts(cmd).workspace);
      const server = await serverFor(ctx, workspaceDir);
      const ws = server ? undefined : await ctx.openWorkspace(workspaceDir, { bulkLoad: true });
      const results: { path: string; kind: string; result: IngestResult | Record<string, unknown> }[] = [];
      // Files of a folder that are neither kind (a manifest, a README, a bill whose header is not
      // FOCUS's): passed over, and named at the end, so a bill left out is never left out silently.
      const skipped: string[] = [];
      try {
        for (const f of files) {
          let kind = opts.kind ? ingestKinds.find((k) => k.name === opts.kind) : undefined;
          // Binary data is refused from its first bytes, before any reader tries to parse it.
          if (!kind && files.length === 1) await sniffText(f, 'a FOCUS export (CSV, gzip or Parquet) or an nvidia-smi CSV log');
          if (!kind) {
            for (const k of ingestKinds) if (await k.detect(f)) { kind = k; break; }
          }
          if (!kind) {
            if (files.length > 1) {
              skipped.push(f);
              continue;
            }
            // A file that cannot be read as CSV (an unclosed quote) says so, line and all, rather
            // than "unrecognised header": the detectors above set its read error aside.
            await focusHeader(f);
            throw new InvalidInput(`${f}: not a file Penny can ingest (recognised: ${ingestKinds.map((k) => k.name).join(', ')})`, [{ path: '', file: f, line: 1, message: 'unrecognised header' }], 'Name the kind with --kind, or check the file is a FOCUS export or an nvidia-smi --format=csv log.');
          }
          const d = delivery ?? deliveries?.get(f);
          const o = { json: Boolean(opts.json), ...(opts.currency && { currency: opts.currency }), ...(opts.host && { host: opts.host }), ...(d && { delivery: d }), root: path };
          results.push({ path: f, kind: kind.name, result: server ? await ingestThrough(server, ctx, f, kind.name, o) : await kind.ingest(ctx, ws!, f, o) });
        }
      } catch (e) {
        // Each file is its own transaction: those before the one that failed are in the store.
        const n = results.length;
        if (n) {
          const shown = results.map((r) => relative(process.cwd(), r.path) || r.path);
          ctx.stderr(`note: ${n} file${n === 1 ? ' before it was' : 's before it were'} ingested and ${n === 1 ? 'is' : 'are'} kept: ${shown.slice(0, 10).join(', ')}${n > 10 ? `, … (${n - 10} more)` : ''}\n  (run the same command again once the file is fixed: what is in already is not counted twice)`);
        }
        throw e;
      } finally {
        await ws?.close();
      }
      if (results.length === 0) throw new InvalidInput(`${path}: no file there is one Penny can ingest`, skipped.length ? skipped.map((f) => ({ path: '', file: f, line: 1, message: 'unrecognised header' })) : [{ path: '', file: path, message: 'nothing recognised' }], 'Name the kind with --kind to see what is wrong with a file, or check these are FOCUS exports or nvidia-smi --format=csv logs.');
      if (skipped.length) {
        const shown = skipped.map((f) => relative(process.cwd(), f) || f);
        ctx.stderr(`note: skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} that ${skipped.length === 1 ? 'is' : 'are'} neither a FOCUS export nor an nvidia-smi log: ${shown.slice(0, 10).join(', ')}${shown.length > 10 ? `, … (${shown.length - 10} more)` : ''}\n  (a bill among them was not counted: penny ingest FILE --kind focus says what is wrong with it)`);
      }
      if (opts.json) {
        printJson(ctx, results);
        return;
      }
      const rows = results.map(({ path: p, kind, result }) => {
        const r = result as IngestResult;
        const t = (result as { telemetry?: { created: boolean; samples: number; gpus: number } }).telemetry;
        if (t) return [p, kind, t.created ? 'ingested' : 'already there', num(t.samples), `${t.gpus} GPU${t.gpus === 1 ? '' : 's'}`, ''];
        if (!r.file) return [p, kind, 'ingested', '', '', ''];
        return [p, kind, r.status === 'ingested' ? 'ingested' : r.status === 'superseded' ? 'superseded' : 'already there', num(r.file.rows), `${r.file.periodStart?.slice(0, 10) ?? '?'} → ${r.file.periodEnd?.slice(0, 10) ?? '?'}`, r.totals.length > 1 ? r.totals.map((t) => money(dec(t.effective), t.currency)).join(' + ') : money(dec(r.file.effectiveTotal), r.file.currency)];
      });
      ctx.stdout(table([{ header: 'File' }, { header: 'Kind' }, { header: 'Status' }, { header: 'Rows', align: 'right' }, { header: 'Period / GPUs' }, { header: 'Effective cost', align: 'right' }], rows));
      for (const { result } of results) for (const n of (result as IngestResult).notes ?? []) ctx.stdout(`note: ${n}`);
    });
};

/**
 * Ingest one file through the server holding the workspace (its upload route, the same importer),
 * answering with what a local ingest returns so the output is the same.
 */
async function ingestThrough(server: ServerApi, ctx: CliContext, path: string, kind: string, opts: { json: boolean; currency?: string; host?: string; root?: string; delivery?: string }): Promise<IngestResult | Record<string, unknown>> {
  // The server saw an upload under a generated name; messages name the file the user gave.
  const shown = relative(process.cwd(), path) || path;
  const local = (text: string) => text.replace(UPLOAD_PATH, shown);
  let r: Record<string, unknown> & { kind?: string; file?: Record<string, unknown>; notes?: string[] };
  try {
    // An nvidia-smi log's host comes from its local path (its folder in a folder ingest, else its
    // name), as in a local ingest: the server sees only the file's name.
    const host = kind === 'nvidia-smi' ? (opts.host ?? hostFromPath(path, opts.root)) : undefined;
    r = (await server.uploadAndWait('/api/uploads', path, { kind, currency: opts.currency, host, delivery: opts.delivery }, ctx.progress(opts.json))) as typeof r;
  } catch (e) {
    if (e instanceof InvalidInput) throw new InvalidInput(local(e.message), e.issues.map((i) => ({ ...i, ...(i.file && { file: local(i.file) }) })), e.hint);
    throw e;
  }
  const { kind: _kind, ...rest } = r;
  if (rest.file) rest.file = { ...rest.file, path: shown };
  if (Array.isArray(rest.notes)) rest.notes = rest.notes.map(local);
  return rest as IngestResult | Record<string, unknown>;
}

/**
 * Where the server keeps an upload: <workspace>/uploads/<uuid>.<ext>; its problem details show only
 * <uuid>.<ext> (they never carry server paths).
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UPLOAD_PATH = new RegExp(`\\S*[\\\\/]uploads[\\\\/]${UUID}(\\.[A-Za-z0-9]+)*|\\b${UUID}(\\.[A-Za-z0-9]+)+`, 'g');
