/**
 * Requests that queue a job (plans, simulations, forecasts, serving) are admitted before their
 * bodies are read, and refused with 503 and Retry-After while too many jobs wait for a job thread:
 * each waiting job holds its input in memory, and a client can post faster than a thread works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  s = await startTestServer({ demo: false, workers: 1, maxQueuedJobs: 2 });
});
afterAll(async () => s?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();
/** Two weeks of minutes: a backtest of every model takes seconds on a job thread. */
const points = Array.from({ length: 20_160 }, (_, i) => ({ t: Date.UTC(2026, 0, 1) + i * 60_000, value: 10 + (i % 1440) / 100 + (i % 7) }));
const post = (body: unknown) => fetch(`${s.url}/api/forecasts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('job admission', () => {
  it('refuses requests beyond the queue bound with 503 and Retry-After, and admits again once jobs are gone', async () => {
    // Reproduction: 30 POST /api/simulations of a 460,000-job trace (10 MB each) sent at once were
    // all queued: the heap grew to 2.9 GB and health went unanswered for over a minute.
    const answers = await Promise.all(Array.from({ length: 6 }, (_, k) => post({ interval: '1m', horizon: '60', points, name: `load-${k}` })));
    const accepted = answers.filter((r) => r.status === 202);
    const refused = answers.filter((r) => r.status === 503);
    expect(accepted.length + refused.length).toBe(6);
    // At most the bound waits, plus the one a thread may have taken meanwhile.
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted.length).toBeLessThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const r of refused) {
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(r.headers.get('retry-after')).toBe('10');
      const p = await json(r);
      expect(p).toMatchObject({ type: 'urn:penny:problem:busy', status: 503, instance: '/api/forecasts' });
      expect(p.hint).toMatch(/Try again/);
    }
    const ids = await Promise.all(accepted.map(async (r) => (await json(r)).id as string));
    // Cancelled jobs wait no more: the queue has room again.
    for (const id of ids) await fetch(`${s.url}/api/jobs/${id}`, { method: 'DELETE' });
    const again = await post({ interval: '1h', horizon: '2', model: 'naive', origins: 1, points: points.slice(0, 200) });
    expect(again.status).toBe(202);
    expect((await s.jobs.wait((await json(again)).id)).status).toBe('succeeded');
  }, 120_000);

  it('gives the place back when a request is refused for its input or its client goes away', async () => {
    // More bad requests than the bound, one after another: each is 422, none 503.
    for (let i = 0; i < 5; i++) expect((await post({ interval: 'hourly', horizon: '1d', points })).status).toBe(422);
    for (let i = 0; i < 3; i++) {
      const ctl = new AbortController();
      const res = fetch(`${s.url}/api/forecasts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ interval: '1m', horizon: '60', points }), signal: ctl.signal });
      ctl.abort();
      await res.catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 500));
    const ok = await post({ interval: '1h', horizon: '2', model: 'naive', origins: 1, points: points.slice(0, 200) });
    expect(ok.status).toBe(202);
    expect((await s.jobs.wait((await json(ok)).id)).status).toBe('succeeded');
  }, 120_000);
});
