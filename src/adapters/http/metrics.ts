/**
 * `/metrics` in the Prometheus text format (prom-client), for a Prometheus server to scrape and a
 * Grafana board to chart: request latency by route and status, jobs, rows ingested, and cost
 * gauges read from the workspace at scrape time (billed and effective cost by provider, service
 * category and currency, as OpenCost exports cost). Each server has its own registry.
 *
 * Prometheus values are float64: the cost gauges are for charts, not for accounting; the exact
 * decimal figures are in the API and the CLI.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobRunner } from '../../app/jobs.js';
import type { BillingStore } from '../../app/billing-ports.js';
import type { WorkerPool } from '../jobs/pool.js';
import type { ParsePool } from './documents.js';

export interface MetricsSources {
  jobs: JobRunner;
  pool: WorkerPool;
  /** Threads that read large request documents (documents.ts). */
  parsePool?: ParsePool;
  /** Absent when the store has no billing tables (nothing to chart). */
  billing?: () => BillingStore;
  telemetrySamples?: () => Promise<number>;
}

export function installMetrics(app: FastifyInstance, src: MetricsSources): Registry {
  const register = new Registry();
  const beforeScrape: (() => Promise<void>)[] = [];
  collectDefaultMetrics({ register });

  const latency = new Histogram({
    name: 'penny_http_request_duration_seconds',
    help: 'HTTP request latency by method, route (the template, not the URL) and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [register],
  });
  app.addHook('onResponse', async (req, reply) => {
    // Unmatched URLs share one label, so a scanner cannot blow up the series count.
    const route = req.routeOptions?.url ?? 'unmatched';
    latency.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  new Gauge({
    name: 'penny_jobs',
    help: 'Jobs queued (waiting for a worker thread) and running now',
    labelNames: ['status'],
    registers: [register],
    collect() {
      const c = src.jobs.counts();
      this.set({ status: 'queued' }, c.queued);
      this.set({ status: 'running' }, c.running);
    },
  });
  const finished = new Counter({ name: 'penny_jobs_finished_total', help: 'Jobs finished since the server started, by kind and outcome', labelNames: ['kind', 'status'], registers: [register] });
  const ingested = new Counter({ name: 'penny_ingest_rows_total', help: 'Rows ingested through this server since it started, by kind of file', labelNames: ['kind'], registers: [register] });
  const off = src.jobs.subscribe((e) => {
    if (e.type !== 'done') return;
    finished.inc({ kind: e.job.kind, status: e.job.status });
    const r = e.job.result as { kind?: string; status?: string; file?: { rows?: number } } | undefined;
    if (e.job.status === 'succeeded' && r?.status === 'ingested' && typeof r.file?.rows === 'number') ingested.inc({ kind: r.kind ?? e.job.kind }, r.file.rows);
  });
  app.addHook('onClose', async () => off());

  new Gauge({
    name: 'penny_worker_threads',
    help: 'Job worker threads started, and the most the pool will start',
    labelNames: ['state'],
    registers: [register],
    collect() {
      const s = src.pool.stats();
      this.set({ state: 'started' }, s.threads);
      this.set({ state: 'busy' }, s.running);
      this.set({ state: 'max' }, src.pool.size);
    },
  });

  if (src.parsePool) {
    const parsePool = src.parsePool;
    new Gauge({
      name: 'penny_parse_threads',
      help: 'Threads that read large request documents: started, busy, documents waiting, and the most the pool will start',
      labelNames: ['state'],
      registers: [register],
      collect() {
        const s = parsePool.stats();
        this.set({ state: 'started' }, s.threads);
        this.set({ state: 'busy' }, s.running);
        this.set({ state: 'queued' }, s.queued);
        this.set({ state: 'max' }, parsePool.size);
      },
    });
  }

  if (src.billing) {
    const billing = src.billing;
    const labelNames = ['provider', 'service_category', 'currency'] as const;
    const billed = new Gauge({ name: 'penny_billed_cost', help: 'Billed cost in the workspace (FOCUS BilledCost), by provider, service category and billing currency', labelNames, registers: [register] });
    const effective = new Gauge({ name: 'penny_effective_cost', help: 'Effective cost in the workspace (FOCUS EffectiveCost: after discounts and amortised commitments), by provider, service category and currency', labelNames, registers: [register] });
    const rowsStored = new Gauge({ name: 'penny_billing_rows', help: 'FOCUS rows stored in the workspace', registers: [register] });
    // One query per scrape fills all three, before the registry is read.
    beforeScrape.push(async () => {
      const rows = await billing().billingReport({ by: [{ kind: 'column', name: 'ProviderName' }, { kind: 'column', name: 'ServiceCategory' }] });
      billed.reset();
      effective.reset();
      let n = 0;
      for (const r of rows) {
        const labels = { provider: r.keys[0] ?? '', service_category: r.keys[1] ?? '', currency: r.currency };
        billed.set(labels, Number(r.billed));
        effective.set(labels, Number(r.effective));
        n += r.rows;
      }
      rowsStored.set(n);
    });
  }
  if (src.telemetrySamples) {
    const count = src.telemetrySamples;
    new Gauge({
      name: 'penny_gpu_samples',
      help: 'GPU telemetry samples stored in the workspace',
      registers: [register],
      async collect() {
        this.set(await count());
      },
    });
  }

  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics (text format 0.0.4)', response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } } }, async (_req, reply) => {
    await Promise.all(beforeScrape.map((f) => f()));
    const body = await register.metrics();
    return reply.type(register.contentType).send(body);
  });
  return register;
}
