/**
 * Request documents are parsed off the event loop: while a scenario just under the YAML limits is
 * posted again and again, the event loop stays free (its delay is measured with perf_hooks, in
 * this process, which is the server's) and health answers, where parsing on the event loop would
 * block it for the whole parse. Results and errors (with lines) are the same as parsing in place.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkYamlShape, INLINE_PARSE_BYTES, MAX_YAML_BYTES } from '../src/adapters/http/limits.js';
import { parseScenario } from '../src/adapters/importers/scenario.js';
import { costResultToJson, costScenario } from '../src/app/cost.js';
import { createParsePool, runParse, scenarioOffLoop } from '../src/adapters/http/documents.js';
import { HttpProblem } from '../src/adapters/http/problem.js';
import { startTestServer } from './server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  s = await startTestServer({ demo: false });
});
afterAll(async () => s?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();

function scenarioText(n: number, bad?: number): string {
  const head = 'name: big\ncurrency: USD\nperiod: { days: 365 }\nresources:\n';
  return head + Array.from({ length: n }, (_, i) => `  - name: s${i}\n    kind: staff\n    yearlyCost: ${i === bad ? '-1' : `${i}.5`}\n`).join('');
}

/** The largest such scenario the shape check lets through: the most work one request may ask for. */
function largestScenario(bad?: number): { text: string; resources: number } {
  for (let n = Math.ceil(MAX_YAML_BYTES / 40); n > 0; n -= 25) {
    const text = scenarioText(n, bad);
    try {
      checkYamlShape(text, 'x');
      return { text, resources: n };
    } catch {
      // over a limit: fewer resources
    }
  }
  throw new Error('unreachable');
}

const postYaml = (path: string, body: string) => fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body });

describe('request documents are parsed off the event loop', () => {
  it('keeps the event loop free and health answering while maximum-size scenarios are posted', async () => {
    const { text, resources } = largestScenario();
    expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_YAML_BYTES * 0.8);
    // Warm the parse thread (its first start loads the modules) outside the measured window.
    expect((await postYaml('/api/scenarios/validate', text)).status).toBe(200);

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const health: number[] = [];
    let posting = true;
    const poller = (async () => {
      while (posting) {
        const t0 = performance.now();
        const res = await fetch(`${s.url}/api/health`);
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        health.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const t0 = performance.now();
    const posts = 4;
    for (let i = 0; i < posts; i++) {
      const res = await postYaml('/api/scenarios/validate', text);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ valid: true, resources });
    }
    const postsMs = performance.now() - t0;
    posting = false;
    await poller;
    loop.disable();

    // The same parse on the event loop: what each request would have blocked it for.
    const p0 = performance.now();
    parseScenario(text, 'request body');
    const inlineParseMs = performance.now() - p0;

    const sorted = [...health].sort((a, b) => a - b);
    const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
    const maxDelayMs = loop.max / 1e6;
    console.log(`off-loop parse: ${Buffer.byteLength(text)} bytes, ${resources} resources; ${posts} posts in ${postsMs.toFixed(0)} ms; parse on the loop ${inlineParseMs.toFixed(0)} ms; event-loop delay max ${maxDelayMs.toFixed(0)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms; health ${health.length} polls, p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`);
    expect(health.length).toBeGreaterThan(posts);
    // Relative bounds, not wall-clock ones: the loop was never blocked for as long as a parse.
    expect(maxDelayMs).toBeLessThan(inlineParseMs / 2);
    expect(p99).toBeLessThan(inlineParseMs / 2);
  }, 120_000);

  it('gives the same scenario and cost report as parsing in place, Decimals exact', async () => {
    const { text } = largestScenario();
    const pool = createParsePool(1);
    try {
      const off = await scenarioOffLoop(pool, { text, file: 'request body' }, Buffer.byteLength(text));
      expect(off).toEqual(parseScenario(text, 'request body'));
    } finally {
      await pool.close();
    }
    const res = await postYaml('/api/scenarios/cost', text);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual(JSON.parse(JSON.stringify(costResultToJson(costScenario(parseScenario(text, 'request body'))))));
  }, 120_000);

  it('answers a bad large document with the same 422, issues with line and field, from the thread', async () => {
    const { text } = largestScenario(1234);
    const res = await postYaml('/api/scenarios/validate', text);
    expect(res.status).toBe(422);
    const p = await json(res);
    const line = text.split('\n').findIndex((l) => l === '    yearlyCost: -1') + 1;
    expect(p.issues).toEqual([expect.objectContaining({ path: 'resources[1234].yearlyCost', file: 'request body', line })]);

    const pad = `# ${'x'.repeat(78)}\n`.repeat(Math.ceil(INLINE_PARSE_BYTES / 80) + 1);
    const plan = await postYaml('/api/plans', `${pad}periodHours: 1\ncatalogs: [/etc/passwd]\nclasses: []\n`);
    expect(plan.status).toBe(422);
    expect((await json(plan)).issues).toEqual([expect.objectContaining({ path: 'catalogs[0]', file: 'request body' })]);
    const sim = await fetch(`${s.url}/api/simulations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: `${pad}pools:\n  - { name: p, gpus: 8, spot: { trace: /etc/passwd } }\n`, jobs: 'arrival,gpus,duration\n0,1,1\n' }) });
    expect(sim.status).toBe(422);
    expect((await json(sim)).issues).toEqual([expect.objectContaining({ path: 'scenario.pools[0].spot.trace' })]);
  }, 120_000);

  it('refuses large documents beyond the queue bound (503), and drops a parse whose client went away', async () => {
    const { text } = largestScenario();
    const pool = createParsePool(1);
    try {
      const first = runParse(pool, 'scenario', { text, file: 'a' }, Buffer.byteLength(text), { maxQueued: 1 });
      const second = runParse(pool, 'scenario', { text, file: 'b' }, Buffer.byteLength(text), { maxQueued: 1 });
      const third = runParse(pool, 'scenario', { text, file: 'c' }, Buffer.byteLength(text), { maxQueued: 1 });
      await expect(third).rejects.toMatchObject({ status: 503, slug: 'busy' });
      const client = new AbortController();
      const fourth = runParse(pool, 'scenario', { text, file: 'd' }, Buffer.byteLength(text), { signal: client.signal });
      client.abort();
      await expect(fourth).rejects.toBeInstanceOf(HttpProblem);
      expect(pool.stats().queued).toBe(1);
      await first;
      await second;
      // Small documents never wait for a thread.
      const small = scenarioText(1);
      expect((await runParse(pool, 'scenario', { text: small, file: 's' }, Buffer.byteLength(small), { maxQueued: 0 })).value).toMatchObject({ name: 'big', resources: [{ name: 's0' }] });
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('reads a large uploaded scenario on a parse thread too', async () => {
    const { text, resources } = largestScenario();
    const form = new FormData();
    form.append('file', new Blob([text]), 'big.yaml');
    const res = await fetch(`${s.url}/api/uploads`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const done = await s.jobs.wait((await json(res)).id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect((done.result as { report: { byResource: unknown[] } }).report.byResource).toHaveLength(resources);
  }, 120_000);
});
