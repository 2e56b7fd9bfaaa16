/**
 * Inference serving over HTTP: a request trace in the body, simulated as a job on a job thread and
 * recorded as a run; the profile table in the body; bad input refused at once; checked against the
 * OpenAPI document.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seededRng } from '../src/core/rng.js';
import { syntheticWorkload } from '../src/core/serving/workload.js';
import { nonConforming } from './openapi-conformance.js';
import { startTestServer } from './server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  s = await startTestServer({ demo: false, workers: 1 });
});
afterAll(async () => s?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();
const post = (body: unknown) => fetch(`${s.url}/api/serving`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const finished = async (res: Response): Promise<any> => {
  expect(res.status).toBe(202);
  const job = await s.jobs.wait((await json(res)).id);
  expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
  return job;
};

const trace = (durationS: number, ratePerS: number, seed = 5) => {
  const w = syntheticWorkload(seededRng(seed), { durationS, ratePerS, context: [100, 2000], generated: [10, 100], adapters: 8 });
  return Array.from(w.arrivalS, (t, i) => ({ time: Math.round(t * 1000) / 1000, contextTokens: w.contextTokens[i]!, generatedTokens: w.generatedTokens[i]!, adapter: `lora-${w.adapter[i]}` }));
};
const requests = trace(900, 3);

/** A measured profile row as the API takes it (the profiles CSV's columns, camelCase, same units). */
const measured = { model: 'my-8b', gpu: 'L40S', gpusPerReplica: 1, prefillTokensPerS: 9000, decodeStepBaseMs: 18, decodeStepPerKvTokenUs: 0.12, kvCapacityTokens: 120_000, maxBatch: 64, startupS: 90, source: 'our bench, 2026-11' };

describe('serving API', () => {
  it('compares balancers × autoscalers with the baseline and the plan as a job, recorded as a run', async () => {
    const job = await finished(await post({ requests, autoscalers: ['fixed-peak', 'forecast', 'spot-mix'], balancers: ['round-robin', 'consistent-hash'], spot: { gapS: 300, available: [1, 0, 1] } }));
    expect(job.kind).toBe('serving');
    const j = job.result.serving;
    expect(j.schemaVersion).toBe(1);
    expect(j.workload.requests).toBe(requests.length);
    expect(j.results).toHaveLength(6);
    for (const r of j.results) expect(r.served + r.dropped.total).toBe(requests.length);
    expect(j.baseline).toEqual({ balancer: 'round-robin', autoscaler: 'fixed-peak' });
    expect(j.plan.result.costUsd.total).toMatch(/^\d+\.\d{6}$/);
    expect(j.plan.perInterval.length).toBeGreaterThan(10);
    // Progress counted the comparison rows and the plan.
    expect(job.progress).toMatchObject({ total: 7, done: 7 });

    const runs = await json(await fetch(`${s.url}/api/runs?kind=serving`));
    expect(runs.map((r: { id: string }) => r.id)).toContain(job.result.runId);
    const listed = runs.find((r: { id: string }) => r.id === job.result.runId);
    expect(listed.summary.baselineUsd).toBe(j.results[0].costUsd.total);
    const run = await json(await fetch(`${s.url}/api/runs/${job.result.runId}`));
    expect(run.kind).toBe('serving');
    expect(run.result).toEqual(j);
  }, 180_000);

  it('takes a trace past the old 20,000-request cap, streams progress, and cancels without recording', async () => {
    const big = trace(5000, 6, 9);
    expect(big.length).toBeGreaterThan(25_000);
    const runsBefore = (await json(await fetch(`${s.url}/api/runs?kind=serving`))).length;
    const res = await post({ requests: big });
    expect(res.status).toBe(202);
    const { id } = await json(res);
    const events = await fetch(`${s.url}/api/jobs/${id}/events`);
    const reader = events.body!.getReader();
    let seen = '';
    // Read until the job reports its row count (the thread has started simulating).
    while (!/"total":[1-9]/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(seen).toMatch(/^event: progress/);
    expect(seen).toMatch(/"status":"running"/);
    const cancelled = await fetch(`${s.url}/api/jobs/${id}`, { method: 'DELETE' });
    expect((await json(cancelled)).status).toBe('cancelled');
    expect((await json(await fetch(`${s.url}/api/runs?kind=serving`))).length).toBe(runsBefore);
  }, 180_000);

  it('runs on a profile table sent in the body, and the plan chooses among its rows', async () => {
    const other = { ...measured, gpu: 'A100', prefillTokensPerS: 12_000, decodeStepBaseMs: 12, source: 'our bench' };
    const job = await finished(await post({ requests: requests.slice(0, 1500), profiles: [measured, other], model: 'my-8b', gpu: 'L40S', autoscalers: ['fixed-peak'], balancers: ['least-outstanding'] }));
    const j = job.result.serving;
    expect(j.profile).toMatchObject({ model: 'my-8b', gpu: 'L40S', prefillTokensPerS: 9000, decodeStepBaseS: 0.018, maxBatch: 64, source: 'our bench, 2026-11' });
    expect(['L40S', 'A100']).toContain(j.plan.profile.gpu);
    expect(j.plan.profile.model).toBe('my-8b');
  }, 180_000);

  it('refuses a bad profile table with a 422 naming the row and field', async () => {
    const few = requests.slice(0, 50);
    const cases: [unknown, RegExp][] = [
      [{ profiles: [measured, { ...measured }] }, /^profiles\[1\]$/],
      [{ profiles: [{ ...measured, prefillTokensPerS: 0 }] }, /profiles\/0\/prefillTokensPerS|profiles\[0\]\.prefillTokensPerS/],
      [{ profiles: [{ ...measured, maxBatch: undefined }] }, /profiles\/0|profiles\[0\]/],
      [{ profiles: [measured], model: 'my-8b', gpu: 'H100' }, /^model$/],
    ];
    for (const [extra, path] of cases) {
      const res = await post({ requests: few, plan: false, ...(extra as object) });
      expect(res.status, JSON.stringify(extra)).toBe(422);
      const p = await json(res);
      expect(p.issues.map((i: { path: string }) => i.path).join(' '), JSON.stringify(p)).toMatch(path);
    }
  });

  it('spreads spot across zones sent as spotZones; spot and spotZones together, or a zone named twice, are a 422', async () => {
    const few = requests.slice(0, 600);
    const zones = [{ name: 'us-west-2a', gapS: 60, available: [1, 1, 0, 0, 1, 1, 1, 1, 1, 1] }, { name: 'us-west-2b', gapS: 60, available: [1, 1, 1, 1, 1, 0, 0, 1, 1, 1] }];
    // Zone b has its own spot price; zone a takes the one given for all.
    const job = await finished(await post({ requests: few, spotZones: [zones[0], { ...zones[1], spotUsdPerHour: '0.90' }], spotUsdPerHour: '1.20', autoscalers: ['spot-mix'], balancers: ['least-outstanding'], plan: false }));
    const j = job.result.serving;
    expect(j.spotZones).toEqual(['us-west-2a', 'us-west-2b']);
    expect(j.spotZonePricesUsdPerHour).toEqual(['1.2', '0.9']);
    const hedged = await post({ requests: few, spotZones: zones, spotUsdPerHour: '1.20', autoscalers: ['spot-mix'], balancers: ['least-outstanding'], plan: false, hedge: 'some' });
    expect(hedged.status).toBe(422);
    expect((await json(hedged)).issues[0].path).toMatch(/^hedge/);
    const mix = j.results.find((r: { autoscaler: string }) => r.autoscaler === 'spot-mix');
    expect(mix.preemptions).toBeGreaterThan(0);
    expect(mix.served + mix.dropped.total).toBe(few.length);
    const both = await post({ requests: few, spot: { gapS: 60, available: [1] }, spotZones: zones, plan: false });
    expect(both.status).toBe(422);
    expect((await json(both)).issues[0].path).toBe('spotZones');
    const twice = await post({ requests: few, spotZones: [zones[0], zones[0]], plan: false });
    expect(twice.status).toBe(422);
    expect((await json(twice)).issues[0].path).toBe('spotZones[1].name');
  }, 180_000);

  it('refuses bad input with a problem at once, queueing nothing: negative tokens, bad time, an SLO no replica meets', async () => {
    const before = (await json(await fetch(`${s.url}/api/jobs`))).length;
    const a = await post({ requests: [{ time: 0, contextTokens: -1, generatedTokens: 1 }] });
    expect(a.status).toBe(422);
    const b = await post({ requests: [{ time: 'soon', contextTokens: 1, generatedTokens: 1 }] });
    expect(b.status).toBe(422);
    expect((await json(b)).issues[0].path).toBe('requests[0].time');
    const c = await post({ requests, gpu: 'L4', sloTtftS: 0.01, plan: false });
    expect(c.status).toBe(422);
    expect((await json(c)).detail).toMatch(/can meet TTFT/);
    // A price of 1 and 400 zeros failed mid-job as a 500 (its plan's cost overflowed); 0 made plans free.
    for (const [field, body] of [
      ['onDemandUsdPerHour', { onDemandUsdPerHour: `1${'0'.repeat(400)}` }],
      ['spotUsdPerHour', { spotUsdPerHour: '0' }],
      ['onDemandUsdPerHour', { onDemandUsdPerHour: '1000000000' }],
    ] as const) {
      const r = await post({ requests, ...body });
      expect(r.status, field).toBe(422);
      const problem = await json(r);
      expect(problem.issues[0].path).toBe(field);
      expect(problem.detail).toMatch(/positive decimal below 1,000,000,000 \(USD per replica-hour\)/);
    }
    expect((await json(await fetch(`${s.url}/api/jobs`))).length).toBe(before);
  });

  it('reads a large body on a parse thread: the event loop never JSON.parses it, and bad rows still get 4xx with field paths', async () => {
    // 40,000 requests (~2.4 MB of JSON): far over the size read in place (8 KiB).
    const big = trace(4000, 10, 11);
    expect(big.length).toBeGreaterThan(35_000);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const before = (await json(await fetch(`${s.url}/api/jobs`))).length;
      const schemaBad = big.map((r, i) => (i === 30_000 ? { ...r, contextTokens: -5 } : r));
      const a = await post({ requests: schemaBad, plan: false });
      expect(a.status).toBe(422);
      const pa = await json(a);
      expect(pa.issues[0].path).toBe('requests[30000].contextTokens');
      expect(pa.detail).toMatch(/^body: requests\[30000\]\.contextTokens must be >= 0/);
      const timeBad = big.map((r, i) => (i === 31_000 ? { ...r, time: 'later' } : r));
      const b = await post({ requests: timeBad, plan: false });
      expect(b.status).toBe(422);
      expect((await json(b)).issues[0].path).toBe('requests[31000].time');
      const text = JSON.stringify({ requests: big, plan: false });
      const c = await fetch(`${s.url}/api/serving`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text.slice(0, -2) });
      expect(c.status).toBe(400);
      expect((await json(c)).detail).toMatch(/not valid JSON/);
      expect((await json(await fetch(`${s.url}/api/jobs`))).length).toBe(before);
      const ok = await post({ requests: big, autoscalers: ['fixed-peak'], balancers: ['round-robin'], plan: false });
      expect(ok.status).toBe(202);
      const { id } = await json(ok);
      await fetch(`${s.url}/api/jobs/${id}`, { method: 'DELETE' });
      // Nothing of megabytes was parsed on this (the server's) thread: the parse thread read them all.
      const onLoop = parse.mock.calls.filter(([t]) => typeof t === 'string' && t.length > 1_000_000);
      expect(onLoop).toHaveLength(0);
    } finally {
      parse.mockRestore();
    }
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(Number(/penny_parse_threads\{state="started"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
  }, 180_000);

  it('refuses an empty body and a small body the schema refuses as before (422 naming the field)', async () => {
    const none = await fetch(`${s.url}/api/serving`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect([400, 422]).toContain(none.status);
    const missing = await post({ plan: false });
    expect(missing.status).toBe(422);
    expect((await json(missing)).issues[0].path).toBe('requests');
    const extra = await post({ requests: requests.slice(0, 2), nonsense: 1 });
    expect(extra.status).toBe(422);
  });

  it('conforms to the OpenAPI document', async () => {
    const doc = await json(await fetch(`${s.url}/openapi.json`));
    expect(nonConforming(doc, s.responses)).toEqual([]);
  });
});
