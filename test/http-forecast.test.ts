/**
 * Forecasts over HTTP: a history sent inline is read on a parse thread, forecast as a job on a job
 * thread and recorded as a run; bad fields are a 422 naming them before anything is queued.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('forecasts several series in one request, each recorded as its run, keyed', async () => {
    const double = history.map((p) => ({ t: p.t, value: 2 * p.value }));
    const res = await post({ unit: 'GPUs', interval: '1h', horizon: '6h', model: 'snaive-day', series: [{ key: 'ml', points: history }, { key: 'web', points: double }, { key: 'tiny', points: history.slice(0, 3) }] });
    expect(res.status).toBe(202);
    const job = await s.jobs.wait((await json(res)).id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const r = job.result as { forecasts: { key: string; runId: string; forecast: { series: string; points: { p50: number }[] } }[]; skipped: { key: string; reason: string }[] };
    expect(r.forecasts.map((f) => f.key)).toEqual(['ml', 'web']);
    expect(r.skipped.map((x) => x.key)).toEqual(['tiny']);
    // The seasonal naive forecast repeats each series' last day: web's is twice ml's.
    r.forecasts[0]!.forecast.points.forEach((p, i) => expect(r.forecasts[1]!.forecast.points[i]!.p50).toBeCloseTo(2 * p.p50, 3));
    expect(new Set(r.forecasts.map((f) => f.runId)).size).toBe(2);
    const run = await json(await fetch(`${s.url}/api/runs/${r.forecasts[1]!.runId}`));
    expect(run.result.series).toBe('web');
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
      [{ interval: '1h', horizon: '1d', points: history, series: [{ key: 'a', points: history }] }, 'series'],
      [{ interval: '1h', horizon: '1d' }, 'points'],
      [{ interval: '1h', horizon: '1d', series: [{ key: 'a', points: history }, { key: 'b', points: [{ t: 'x', value: 1 }, ...history] }] }, 'series[1].points[0].t'],
      [{ interval: '1h', horizon: '1d', series: [{ key: 'a', points: history }, { key: 'a', points: history }] }, 'series[1].key'],
      // Reproduction: 12 series × 100,000 steps × 54 levels (65 million values) grew the server
      // past 2 GB of memory for minutes; each finished series stalled it for seconds (3 series: a 168 MB job).
      [{ interval: '1h', horizon: '100000', points: history, quantiles: Array.from({ length: 40 }, (_, i) => ((i + 1) / 50).toFixed(2)).join(',') }, 'horizon'],
      [{ interval: '1h', horizon: '100000', series: Array.from({ length: 12 }, (_, k) => ({ key: `s${k}`, points: history })) }, 'horizon'],
    ];
    for (const [body, path] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect((await json(res)).issues[0].path).toBe(path);
    }
    expect((await json(await fetch(`${s.url}/api/jobs`))).length).toBe(before);
  });

  it('reads a large body on a parse thread: the event loop never JSON.parses it, and bad points still get 4xx with field paths', async () => {
    // Reproduction: 525,600 points (a year of minutes, ~23 MB) posted to /api/forecasts stalled
    // the event loop (health unanswered) for 5 s while the route parsed, validated and digested
    // them; a 63 MB body over the point limit, 6 s before its 422.
    const t0 = Date.UTC(2025, 0, 1);
    const big = Array.from({ length: 120_000 }, (_, i) => ({ t: new Date(t0 + i * 60_000).toISOString(), value: 10 + (i % 60) }));
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const before = (await json(await fetch(`${s.url}/api/jobs`))).length;
      const badTime = big.map((p, i) => (i === 100_000 ? { ...p, t: 'later' } : p));
      const a = await post({ interval: '1m', horizon: '10', points: badTime });
      expect(a.status).toBe(422);
      expect((await json(a)).issues[0].path).toBe('points[100000].t');
      const badSchema = big.map((p, i) => (i === 110_000 ? { ...p, value: 'x' } : p));
      const b = await post({ interval: '1m', horizon: '10', points: badSchema });
      expect(b.status).toBe(422);
      const pb = await json(b);
      expect(pb.issues[0].path).toBe('points[110000].value');
      expect(pb.detail).toMatch(/^body: points\[110000\]\.value must be number/);
      const tooMany = await post({ interval: '1m', horizon: '10', series: Array.from({ length: 5 }, (_, k) => ({ key: `s${k}`, points: big })) });
      expect(tooMany.status).toBe(422);
      expect((await json(tooMany)).issues[0].path).toBe('series');
      const text = JSON.stringify({ interval: '1m', horizon: '10', points: big });
      const c = await fetch(`${s.url}/api/forecasts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text.slice(0, -2) });
      expect(c.status).toBe(400);
      expect((await json(c)).detail).toMatch(/not valid JSON/);
      expect((await json(await fetch(`${s.url}/api/jobs`))).length).toBe(before);
      const ok = await post({ interval: '1m', horizon: '10', model: 'naive', origins: 1, points: big });
      expect(ok.status).toBe(202);
      const job = await s.jobs.wait((await json(ok)).id);
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
      const run = await json(await fetch(`${s.url}/api/runs/${(job.result as { runId: string }).runId}`));
      expect(run.result.history.points).toBe(big.length);
      // Nothing of megabytes was parsed on this (the server's) thread: the parse thread read them all.
      const onLoop = parse.mock.calls.filter(([t]) => typeof t === 'string' && t.length > 1_000_000);
      expect(onLoop).toHaveLength(0);
    } finally {
      parse.mockRestore();
    }
  }, 120_000);

  it('conforms to the OpenAPI document', async () => {
    const doc = await json(await fetch(`${s.url}/openapi.json`));
    expect(nonConforming(doc, s.responses)).toEqual([]);
  });
});
