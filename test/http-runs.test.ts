/**
 * Runs recorded from elsewhere (POST /api/runs, what `penny … --save` beside a server sends): the
 * body is read on a parse thread, its result checked against its kind's contract and its inputs
 * hashed there, so a large one never stalls the event loop; the answers are as before.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inputHash } from '../src/app/runs.js';
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
const postRun = (body: string) => fetch(`${s.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('POST /api/runs', () => {
  it('reads a large run on a parse thread: the event loop never JSON.parses it, and bad ones still get 4xx with field paths', async () => {
    // Reproduction: a 42 MB run (its inputs a long history) posted to /api/runs stalled the event
    // loop (health unanswered) for 5.6 s while the route parsed, validated and hashed it.
    const history = Array.from({ length: 21 * 24 }, (_, i) => ({ t: Date.UTC(2026, 9, 1) + i * 3_600_000, value: 20 + (i % 24) }));
    const made = await fetch(`${s.url}/api/forecasts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ interval: '1h', horizon: '1d', model: 'naive', origins: 1, points: history }) });
    const job = await s.jobs.wait((await json(made)).id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const forecast = await json(await fetch(`${s.url}/api/runs/${(job.result as { runId: string }).runId}`));
    const inputs = { source: 'history.csv', values: Array.from({ length: 200_000 }, (_, i) => i * 1.5) };
    const body = { kind: 'forecast', name: 'from the CLI', inputs, summary: forecast.summary, result: forecast.result };
    const text = JSON.stringify(body);
    expect(text.length).toBeGreaterThan(1_000_000);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const before = (await json(await fetch(`${s.url}/api/runs`))).length;
      const bad = await postRun(JSON.stringify({ ...body, result: { ...forecast.result, points: 'none' } }));
      expect(bad.status).toBe(422);
      const pb = await json(bad);
      expect(pb.detail).toMatch(/^body: /);
      expect(pb.issues.length).toBeGreaterThan(0);
      const cut = await postRun(text.slice(0, -2));
      expect(cut.status).toBe(400);
      expect((await json(cut)).detail).toMatch(/not valid JSON/);
      expect((await json(await fetch(`${s.url}/api/runs`))).length).toBe(before);
      const ok = await postRun(text);
      expect(ok.status).toBe(201);
      const { runId } = await json(ok);
      // The id is the inputs' hash, as recordRun gives it anywhere else: the same inputs again replace the run.
      expect(runId).toBe(`run_forecast_${inputHash('forecast', inputs).slice(0, 16)}`);
      expect(await json(await postRun(text))).toEqual({ runId });
      expect((await json(await fetch(`${s.url}/api/runs`))).length).toBe(before + 1);
      const run = await json(await fetch(`${s.url}/api/runs/${runId}`));
      expect(run.result).toEqual(forecast.result);
      // Nothing of megabytes was parsed on this (the server's) thread: the parse thread read them all.
      const onLoop = parse.mock.calls.filter(([t]) => typeof t === 'string' && t.length > 1_000_000);
      expect(onLoop).toHaveLength(0);
    } finally {
      parse.mockRestore();
    }
  }, 120_000);

  it('refuses no body, another kind\'s result and YAML as before', async () => {
    const none = await fetch(`${s.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect([400, 422]).toContain(none.status);
    const wrong = await postRun(JSON.stringify({ kind: 'plan', name: 'x', inputs: {}, summary: {}, result: { scenario: 'x' } }));
    expect(wrong.status).toBe(422);
    const yaml = await fetch(`${s.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: 'kind: plan\n' });
    expect(yaml.status).toBe(422);
  });

  it('conforms to the OpenAPI document', async () => {
    const doc = await json(await fetch(`${s.url}/openapi.json`));
    expect(nonConforming(doc, s.responses)).toEqual([]);
  });
});
