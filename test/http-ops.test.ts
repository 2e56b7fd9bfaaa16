/** Operations: structured request logs with ids and no secrets; /metrics in the Prometheus format. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './server.js';

const TOKEN = 'tok-very-secret-123';
const lines: string[] = [];
const stream = new Writable({
  write(chunk, _enc, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  s = await startTestServer({ token: TOKEN, logger: { level: 'info', stream } });
});
afterAll(async () => s?.close());

const auth = { authorization: `Bearer ${TOKEN}` };

describe('request logs', () => {
  it('logs each request as JSON with its id, and never a token or cookie', async () => {
    const viaQuery = await fetch(`${s.url}/api/health?token=${TOKEN}`);
    expect(viaQuery.status).toBe(200);
    const cookie = viaQuery.headers.get('set-cookie')!;
    await fetch(`${s.url}/api/runs`, { headers: { cookie: cookie.split(';')[0]!, 'x-request-id': 'trace-42' } });
    const withHeader = await fetch(`${s.url}/api/scenarios`, { headers: auth });
    const id = withHeader.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 50));
    const records = lines.map((l) => JSON.parse(l) as { reqId?: string; req?: { url: string }; res?: { statusCode: number }; responseTime?: number });
    expect(records.some((r) => r.reqId === id && r.res?.statusCode === 200 && typeof r.responseTime === 'number')).toBe(true);
    expect(records.some((r) => r.reqId === 'trace-42')).toBe(true);
    expect(records.some((r) => r.req?.url === '/api/health?token=[redacted]')).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(encodeURIComponent(TOKEN));
  });
});

describe('/metrics', () => {
  it('needs the token like every other route', async () => {
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
  });

  it('serves request latency by route, jobs, rows and cost gauges in the Prometheus text format', async () => {
    await fetch(`${s.url}/api/health`, { headers: auth });
    await fetch(`${s.url}/api/nowhere/${'x'.repeat(20)}`, { headers: auth });
    const res = await fetch(`${s.url}/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    // Every sample line is `name{labels} value`; every family has HELP and TYPE.
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/);
    expect(text).toMatch(/# TYPE penny_http_request_duration_seconds histogram/);
    expect(text).toMatch(/penny_http_request_duration_seconds_count\{method="GET",route="\/api\/health",status_code="200"\} [1-9]/);
    // An unknown URL is not a label value of its own.
    expect(text).not.toContain('xxxxxxxxxx');
    expect(text).toMatch(/penny_jobs\{status="queued"\} 0/);
    expect(text).toMatch(/penny_worker_threads\{state="max"\} [1-9]/);
    expect(text).toMatch(/penny_parse_threads\{state="max"\} [12]/);

    const report = (await (await fetch(`${s.url}/api/billing/report?by=ProviderName`, { headers: auth })).json()) as { keys: { ProviderName: string }; currency: string; billedCost: string; rows: number }[];
    expect(report.length).toBeGreaterThan(0);
    for (const r of report) {
      const m = new RegExp(`penny_billed_cost\\{provider="${r.keys.ProviderName}",service_category="[^"]*",currency="${r.currency}"\\} ([0-9.e+-]+)`, 'g');
      const sum = [...text.matchAll(m)].reduce((a, x) => a + Number(x[1]), 0);
      expect(sum).toBeCloseTo(Number(r.billedCost), 2);
    }
    const rows = report.reduce((a, r) => a + r.rows, 0);
    expect(text).toContain(`penny_billing_rows ${rows}`);
    expect(text).toMatch(/penny_gpu_samples [1-9]/);
    expect(text).toMatch(/nodejs_eventloop_lag_p99_seconds/);
  });

  it('counts finished jobs and ingested rows', async () => {
    const form = new FormData();
    const csv = (await import('node:fs')).readFileSync(new URL('../examples/demo/billing-focus.csv', import.meta.url), 'utf8').replace('i-0p5burst', 'i-0p5burst-metrics');
    form.append('file', new Blob([csv]), 'bill.csv');
    const job = (await (await fetch(`${s.url}/api/uploads`, { method: 'POST', body: form, headers: auth })).json()) as { id: string };
    const done = await s.jobs.wait(job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const text = await (await fetch(`${s.url}/metrics`, { headers: auth })).text();
    expect(text).toMatch(/penny_jobs_finished_total\{kind="ingest:focus",status="succeeded"\} 1/);
    expect(text).toContain(`penny_ingest_rows_total{kind="focus"} ${csv.trim().split('\n').length - 1}`);
  });
});
