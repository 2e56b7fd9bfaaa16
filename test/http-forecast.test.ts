/**
 * Forecasts over HTTP: a history sent inline is forecast as a job on a job thread and recorded as
 * a run; bad fields are a 422 naming them before anything is queued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const post = (body: unknown) => fetch(`${s.url}/api/forecasts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** 21 days of hourly GPU demand: a daily cycle between 10 and 30, no noise. */
const history = Array.from({ length: 21 * 24 }, (_, i) => ({ t: new Date(Date.UTC(2026, 9, 1) + i * 3_600_000).toISOString(), value: 20 + 10 * Math.sin((2 * Math.PI * i) / 24) }));

describe('forecasts over HTTP', () => {
  it('forecasts a history as a job, records it as a run, and the result follows the forecast contract', async () => {
    const res = await post({ name: 'gpus', unit: 'GPUs', interval: '1h', horizon: '1d', points: history, model: 'snaive-day,theta', quantiles: '0.99' });
    expect(res.status).toBe(202);
    const job = await s.jobs.wait((await json(res)).id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const r = job.result as { runId: string; forecast: { model: string; points: { t: string; p10: number; p50: number; p90: number; p99: number }[] } };
    expect(r.forecast.points).toHaveLength(24);
    // A pure daily cycle: the seasonal naive forecast repeats the last day exactly.
    expect(r.forecast.points[0]!.t).toBe('2026-10-22T00:00:00.000Z');
    expect(r.forecast.points[6]!.p50).toBeCloseTo(30, 6);
    expect(r.forecast.points[6]!.p99).toBeGreaterThanOrEqual(r.forecast.points[6]!.p90);
    const run = await json(await fetch(`${s.url}/api/runs/${r.runId}`));
    expect(run.kind).toBe('forecast');
    expect(run.result.points).toHaveLength(24);
    const jobView = await json(await fetch(`${s.url}/api/jobs/${job.id}`));
    expect(jobView.result.forecast.points).toHaveLength(24);
    // Another history of the same length is another run: it never replaces the first one.
    const shifted = history.map((p) => ({ ...p, value: p.value + 5 }));
    const other = await s.jobs.wait((await json(await post({ name: 'gpus', unit: 'GPUs', interval: '1h', horizon: '1d', points: shifted, model: 'snaive-day,theta', quantiles: '0.99' }))).id);
    expect(other.status, JSON.stringify(other.error)).toBe('succeeded');
    expect((other.result as { runId: string }).runId).not.toBe(r.runId);
    expect((await fetch(`${s.url}/api/runs/${r.runId}`)).status).toBe(200);
  });

  it('answers bad fields with a 422 naming them, and queues nothing', async () => {
    const before = (await json(await fetch(`${s.url}/api/jobs`))).length;
    expect(before).toBeGreaterThan(0);
    const cases: [unknown, string][] = [
      [{ interval: 'hourly', horizon: '1d', points: history }, 'interval'],
      [{ interval: '1h', horizon: 'soon', points: history }, 'horizon'],
      [{ interval: '1h', horizon: '1d', points: [{ t: 'yesterday', value: 1 }, ...history] }, 'points[0].t'],
      [{ interval: '1h', horizon: '1d', points: history, quantiles: '1.5' }, 'quantiles'],
      [{ interval: '1h', horizon: '1d', points: history, cap: -1 }, 'cap'],
    ];
    for (const [body, path] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect((await json(res)).issues[0].path).toBe(path);
    }
    expect((await post({ interval: '1h', horizon: '1d' })).status).toBeGreaterThanOrEqual(400);
    expect((await json(await fetch(`${s.url}/api/jobs`))).length).toBe(before);
  });

  it('conforms to the OpenAPI document', async () => {
    const doc = await json(await fetch(`${s.url}/openapi.json`));
    expect(nonConforming(doc, s.responses)).toEqual([]);
  });
});
