/** Inference serving over HTTP: a request trace in the body, checked against the OpenAPI document. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRng } from '../src/core/rng.js';
import { syntheticWorkload } from '../src/core/serving/workload.js';
import { nonConforming } from './openapi-conformance.js';
import { startTestServer } from './server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  s = await startTestServer({ demo: false });
});
afterAll(async () => s?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();
const post = (body: unknown) => fetch(`${s.url}/api/serving`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const w = syntheticWorkload(seededRng(5), { durationS: 900, ratePerS: 3, context: [100, 2000], generated: [10, 100], adapters: 8 });
const requests = Array.from(w.arrivalS, (t, i) => ({ time: t, contextTokens: w.contextTokens[i]!, generatedTokens: w.generatedTokens[i]!, adapter: `lora-${w.adapter[i]}` }));

describe('serving API', () => {
  it('compares balancers × autoscalers with the baseline and plans the replicas', async () => {
    const res = await post({ requests, autoscalers: ['fixed-peak', 'forecast', 'spot-mix'], balancers: ['round-robin', 'consistent-hash'], spot: { gapS: 300, available: [1, 0, 1] } });
    expect(res.status).toBe(200);
    const j = await json(res);
    expect(j.workload.requests).toBe(requests.length);
    expect(j.results).toHaveLength(6);
    for (const r of j.results) expect(r.served + r.dropped.total).toBe(requests.length);
    expect(j.baseline).toEqual({ balancer: 'round-robin', autoscaler: 'fixed-peak' });
    expect(j.plan.result.costUsd.total).toMatch(/^\d+\.\d{6}$/);
    expect(j.plan.perInterval.length).toBeGreaterThan(10);
  }, 60_000);

  it('refuses bad input with a problem: negative tokens (422), an SLO no replica meets (422)', async () => {
    const a = await post({ requests: [{ time: 0, contextTokens: -1, generatedTokens: 1 }] });
    expect(a.status).toBe(422);
    const b = await post({ requests: [{ time: 'soon', contextTokens: 1, generatedTokens: 1 }] });
    expect(b.status).toBe(422);
    expect((await json(b)).issues[0].path).toBe('requests[0].time');
    const c = await post({ requests, gpu: 'L4', sloTtftS: 0.01, plan: false });
    expect(c.status).toBe(422);
    expect((await json(c)).detail).toMatch(/can meet TTFT/);
  });

  it('conforms to the OpenAPI document', async () => {
    const doc = await json(await fetch(`${s.url}/openapi.json`));
    expect(nonConforming(doc, s.responses)).toEqual([]);
  });
});
