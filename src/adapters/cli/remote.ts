/**
 * The CLI talking to the `penny serve` that holds its workspace (server.json): uploads for
 * ingest, the billing routes for reports. What the server answers is turned back into the same
 * errors a local run throws, so the output and exit codes match a local run.
 */
import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import type { BillingFileRecord, BillingFileSummary, BillingStore, CommitmentRow, Dimension, ReportQuery, ReportRow } from '../../app/billing-ports.js';
import type { Progress } from '../../app/ports.js';
import { dimensionLabel } from '../../app/billing.js';
import { recordRun, type RunInput } from '../../app/runs.js';
import { InvalidInput, PennyError, type Issue } from '../../core/errors.js';
import { liveServer, type ServerInfo } from './server-file.js';
import type { Command } from 'commander';
import { globalOpts, withWorkspace, type CliContext } from './context.js';

interface JobView {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress?: { done: number; total: number; label: string };
  result?: unknown;
  error?: { title: string; status: number; detail: string; issues?: Issue[] };
}

interface ProblemView {
  status?: number;
  title?: string;
  detail?: string;
  issues?: Issue[];
  hint?: string;
}

/** A failure of the server itself (not of the input): exit code 1, with what to do. */
export class ServerUnavailable extends PennyError {
  readonly code = 'server-unavailable';
}

export class ServerApi {
  constructor(readonly info: ServerInfo) {}

  private headers(): Record<string, string> {
    return this.info.token ? { authorization: `Bearer ${this.info.token}` } : {};
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.info.url}${path}`, { ...init, headers: { ...this.headers(), ...(init.headers as Record<string, string> | undefined) } });
    } catch (e) {
      throw new ServerUnavailable(
        `the Penny server holding this workspace (pid ${this.info.pid}, ${this.info.url}) does not answer: ${(e as Error).cause ? String(((e as Error).cause as Error).message ?? (e as Error).cause) : (e as Error).message}`,
        'Check that `penny serve` is running; if it was killed, remove server.json from the workspace.',
      );
    }
    if (res.ok) return res;
    const text = await res.text();
    let p: ProblemView = {};
    try {
      p = JSON.parse(text) as ProblemView;
    } catch {
      p = { detail: text };
    }
    throw problemError(res.status, p, this.info);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await (await this.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as T;
  }

  /** POST a document as it is on disk (a scenario's YAML or JSON text), so the server parses what the user wrote. */
  async postText<T>(path: string, text: string, contentType: string, query: Record<string, string | undefined> = {}): Promise<T> {
    return (await (await this.request(withQuery(path, query), { method: 'POST', headers: { 'content-type': contentType }, body: text })).json()) as T;
  }

  async put<T>(path: string, body: unknown): Promise<T> {
    return (await (await this.request(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as T;
  }

  async delete<T>(path: string): Promise<T> {
    return (await (await this.request(path, { method: 'DELETE' })).json()) as T;
  }

  /** GET with query fields; an array repeats its field (`where=a&where=b`). */
  async get<T>(path: string, query: Record<string, string | number | string[] | undefined> = {}): Promise<T> {
    const res = await this.request(withQuery(path, query));
    return (await res.json()) as T;
  }

  /** Upload a file (streamed from disk) with form fields, then follow the job it starts to its end. */
  async uploadAndWait(path: string, file: string, fields: Record<string, string | undefined>, progress: Progress): Promise<unknown> {
    const form = new FormData();
    // Fields before the file: the server reads them as it reaches the file part.
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v);
    const blob = await openAsBlob(file).catch((e: Error) => {
      throw new InvalidInput(`cannot read ${file}: ${e.message}`, [{ path: '', file, message: 'not readable' }], 'Check the path.');
    });
    form.append('file', blob, basename(file));
    const res = await this.request(path, { method: 'POST', body: form });
    const job = (await res.json()) as JobView;
    return this.waitJob(job, progress);
  }

  private async waitJob(first: JobView, progress: Progress): Promise<unknown> {
    let job = first;
    let total = -1;
    while (job.status === 'queued' || job.status === 'running') {
      if (job.progress && job.progress.total > 0) {
        if (job.progress.total !== total) progress.start((total = job.progress.total), job.progress.label);
        progress.tick(job.progress.done);
      }
      await new Promise((r) => setTimeout(r, 150));
      job = await this.get<JobView>(`/api/jobs/${encodeURIComponent(job.id)}`);
    }
    if (total >= 0) progress.finish();
    if (job.status === 'failed') throw problemError(job.error?.status ?? 500, job.error ?? {}, this.info);
    return job.result;
  }
}

/** `path?query`: undefined fields left out, an array repeating its field (`where=a&where=b`). */
function withQuery(path: string, query: Record<string, string | number | string[] | undefined>): string {
  const qs = new URLSearchParams(Object.entries(query).flatMap(([k, v]) => (v === undefined ? [] : Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, String(v)] as [string, string]])));
  return `${path}${qs.size ? `?${qs}` : ''}`;
}

function problemError(status: number, p: ProblemView, info: ServerInfo): Error {
  const detail = p.detail ?? p.title ?? `HTTP ${status}`;
  if (status === 403 && info.readOnly) return new InvalidInput(`the Penny server holding this workspace runs --read-only: ${detail}`, [], 'Ingest while the server runs without --read-only, or stop it first.');
  if (status === 401) return new ServerUnavailable(`the Penny server holding this workspace refused the token in server.json: ${detail}`, 'Restart `penny serve`, which writes its token there.');
  if (status >= 400 && status < 500) return new InvalidInput(detail, p.issues ?? [], p.hint);
  return new ServerUnavailable(`the Penny server failed: ${detail}`, 'See the server\'s log.');
}

interface ApiReportRow {
  keys: Record<string, string | null>;
  period?: string;
  currency: string;
  billedCost: string;
  effectiveCost: string;
  listCost: string | null;
  rows: number;
}

const whereFields = (where: ReportQuery['where']) => where?.map((w) => `${dimensionLabel(w.dim)}=${w.value}`);

const remoteOnly = (what: string) => new InvalidInput(`${what} is not available through the Penny server holding this workspace`, [], 'Run it again once the server has stopped.');

/**
 * The billing reads a report needs, answered by the server's billing routes. Writes go through
 * uploads; budgets are not reachable this way (yet).
 */
export class HttpBillingStore implements BillingStore {
  constructor(private readonly api: ServerApi) {}

  async listBillingFiles(): Promise<BillingFileSummary[]> {
    return (await this.api.get<(Omit<BillingFileSummary, 'columns'> & { columns?: string[] })[]>('/api/billing/files')).map((f) => ({ ...f, columns: f.columns ?? [] }));
  }

  async transaction<T>(): Promise<T> {
    throw remoteOnly('a write transaction');
  }

  async findBillingFile(): Promise<undefined> {
    throw remoteOnly('looking up a file by content');
  }

  async sweepOrphanRows(): Promise<number> {
    throw remoteOnly('sweeping rows');
  }

  async sliceKeysOf(): Promise<string[]> {
    throw remoteOnly('reading slices');
  }

  async liveSlices(): Promise<never[]> {
    throw remoteOnly('reading slices');
  }

  async removeBillingFile(): Promise<boolean> {
    throw remoteOnly('removing a file (use DELETE /api/billing/files/{id})');
  }

  async spendInWindow(): Promise<never[]> {
    throw remoteOnly('spend in a window');
  }

  async getBillingFile(id: string) {
    return (await this.listBillingFiles()).find((f) => f.id === id);
  }

  async tagKeys(): Promise<string[]> {
    return this.api.get<string[]>('/api/billing/tags');
  }

  async billingReport(q: ReportQuery): Promise<ReportRow[]> {
    const rows = await this.api.get<ApiReportRow[]>('/api/billing/report', { by: q.by.map(dimensionLabel).join(','), from: q.from, to: q.to, granularity: q.granularity, top: q.top, where: whereFields(q.where) });
    return rows.map((r) => ({
      keys: q.by.map((d: Dimension) => r.keys[dimensionLabel(d)] ?? null),
      ...(r.period && { period: r.period }),
      currency: r.currency,
      billed: r.billedCost,
      effective: r.effectiveCost,
      list: r.listCost,
      rows: r.rows,
    }));
  }

  async commitmentUtilisation(q: { from?: string; to?: string; where?: ReportQuery['where'] }): Promise<CommitmentRow[]> {
    return this.api.get<CommitmentRow[]>('/api/billing/commitments', { from: q.from, to: q.to, where: whereFields(q.where) });
  }

  async lastChargeEnd(): Promise<string | undefined> {
    throw remoteOnly('the last charge time');
  }

  async lockCounting(): Promise<void> {
    throw remoteOnly('writing billing files');
  }

  async insertBillingRows(): Promise<void> {
    throw remoteOnly('writing billing rows');
  }

  async insertBillingFile(): Promise<void> {
    throw remoteOnly('writing billing files');
  }

  async saveBudget(): Promise<void> {
    throw remoteOnly('saving a budget');
  }

  async listBudgets(): Promise<never[]> {
    throw remoteOnly('listing budgets');
  }

  async deleteBudget(): Promise<boolean> {
    throw remoteOnly('deleting a budget');
  }
}

/**
 * The server to go through, when a live `penny serve` holds this workspace's embedded database.
 * With a PostgreSQL database the CLI opens it directly: many processes may.
 */
export async function serverFor(ctx: { database?: string }, workspaceDir: string): Promise<ServerApi | undefined> {
  if (ctx.database || process.env.PENNY_DATABASE_URL) return undefined;
  const info = await liveServer(workspaceDir);
  if (!info) return undefined;
  // A pid can be reused after a reboot or in a container: if nothing answers at the URL any
  // more, the file is stale and the workspace is the CLI's to open (if a server does hold it
  // after all, opening says so). A server too busy to answer in time is still the holder.
  try {
    await fetch(`${info.url}/api/health`, { signal: AbortSignal.timeout(5_000), ...(info.token && { headers: { authorization: `Bearer ${info.token}` } }) });
  } catch (e) {
    if ((e as Error).name !== 'TimeoutError') return undefined;
  }
  return new ServerApi(info);
}

/** The workspace's bills, or, while `penny serve` holds it, the server's answer to the same question. */
export async function withBilling<T>(ctx: CliContext, cmd: Command, local: (billing: BillingStore) => Promise<T>, remote?: (server: ServerApi) => Promise<T>): Promise<T> {
  const server = await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace));
  if (server) return remote ? remote(server) : local(new HttpBillingStore(server));
  return withWorkspace(ctx, cmd, (ws) => local(ws.billing));
}

/** `--save`: record a run in the workspace, or, while `penny serve` holds it, through the server. */
export async function saveRun(ctx: CliContext, cmd: Command, run: RunInput): Promise<string> {
  const server = await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace));
  if (server) return (await server.post<{ runId: string }>('/api/runs', run)).runId;
  return withWorkspace(ctx, cmd, (ws) => recordRun(ws.store, ws.clock, run));
}
