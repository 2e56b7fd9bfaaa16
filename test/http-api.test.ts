/** The HTTP API on a real loopback server: status codes, bodies, problems, auth, limits, jobs. */
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../src/core/money.js';
import { startTestServer } from './server.js';
import { nonConforming } from './openapi-conformance.js';
import { repoRoot } from './shared-data.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

// Response bodies are checked field by field below; `any` keeps those checks readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();

const yaml = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/yaml' }, body });

/** Check a response body against the response schema the OpenAPI document declares for it. */
async function conforms(path: string, method: string, status: number, body: unknown) {
  const doc = (await json(await fetch(`${s.url}/openapi.json`))) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };
  const op = doc.paths[path]?.[method];
  expect(op, `${method} ${path} is documented`).toBeDefined();
  const content = op!.responses[String(status)]?.content;
  const schema = content && Object.values(content)[0]?.schema;
  expect(schema, `${method} ${path} documents ${status}`).toBeDefined();
  const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false });
  const ok = ajv.validate(schema!, body);
  expect(ok, JSON.stringify(ajv.errors)).toBe(true);
}

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3.1 document and a reference page', async () => {
    const doc = await json(await fetch(`${s.url}/openapi.json`));
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    const page = await fetch(`${s.url}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/swagger/i);
  });
});

describe('scenarios', () => {
  it('costs a YAML scenario exactly and conforms to the document', async () => {
    const res = await fetch(`${s.url}/api/scenarios/cost`, yaml(readFileSync(join(repoRoot, 'examples/lp-example.yaml'), 'utf8')));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.total).toBe('130000');
    await conforms('/api/scenarios/cost', 'post', 200, body);
  });

  it('costs a JSON scenario, with --capex as a query', async () => {
    const scenario = { currency: 'CNY', period: { days: 365 }, electricity: { pricePerKwh: 1 }, resources: [{ name: 'n', kind: 'server', count: 10, purchasePrice: 5000, lifetimeYears: 5, maintenancePerYear: 2000, powerW: 500, usage: { hoursPerDay: 8, days: 365 } }] };
    const post = (q: string) => fetch(`${s.url}/api/scenarios/cost${q}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scenario) });
    expect((await json(await post(''))).total).toBe('44600');
    expect((await json(await post('?capex=expense'))).total).toBe('84600');
    expect((await post('?capex=sometimes')).status).toBe(422);
  });

  it('answers bad input with a 422 problem naming field and line', async () => {
    const res = await fetch(`${s.url}/api/scenarios/validate`, yaml('resources:\n  - name: a\n    kind: server\n    purchasePrice: -1\n'));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const p = await json(res);
    expect(p).toMatchObject({ status: 422, title: 'The input is not valid', issues: [{ path: 'resources[0].purchasePrice', line: 4 }] });
    await conforms('/api/scenarios/validate', 'post', 422, p);
  });

  it('answers malformed JSON with 400, an empty body with 422, an unknown type with 415', async () => {
    const bad = await fetch(`${s.url}/api/scenarios/validate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resources": [' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).type).toMatch(/^urn:penny:problem:/);
    expect((await fetch(`${s.url}/api/scenarios/validate`, yaml('  '))).status).toBe(422);
    expect((await fetch(`${s.url}/api/scenarios/validate`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: 'x' })).status).toBe(415);
  });

  it('refuses an oversized body with 413 before parsing it', async () => {
    const big = `# ${'x'.repeat(11 * 1024 * 1024)}\n`;
    const res = await fetch(`${s.url}/api/scenarios/validate`, yaml(big));
    expect(res.status).toBe(413);
    expect((await json(res)).title).toBe('Request body too large');
  });

  it('records a scenario (201) and lists it; unknown ids are 404 problems', async () => {
    const res = await fetch(`${s.url}/api/scenarios`, yaml(readFileSync(join(repoRoot, 'examples/utilisation-example.yaml'), 'utf8')));
    expect(res.status).toBe(201);
    const body = await json(res);
    await conforms('/api/scenarios', 'post', 201, body);
    const list = await json(await fetch(`${s.url}/api/scenarios`));
    expect(list.map((x: { name: string }) => x.name)).toContain('utilisation-example');
    const one = await fetch(`${s.url}/api/scenarios/${body.scenarioId}`);
    expect(one.status).toBe(200);
    const missing = await fetch(`${s.url}/api/scenarios/nope`);
    expect(missing.status).toBe(404);
    await conforms('/api/scenarios/{id}', 'get', 404, await json(missing));
    expect((await fetch(`${s.url}/api/no-such-route`)).status).toBe(404);
  });

  it('serves the latest report of the demo workspace', async () => {
    const res = await fetch(`${s.url}/api/reports/latest?scenario=demo-ai-team`);
    const body = await json(res);
    expect(res.status).toBe(200);
    expect(body.report.savings.length).toBeGreaterThanOrEqual(3);
    // savingsTotal (the overview's "Savings found") adds each resource-hour once: alternatives are not in it.
    expect(body.report.savingsTotal).toBe(body.report.savings.reduce((a: Decimal, r: { saving: string }) => a.plus(r.saving), new Decimal(0)).toFixed());
    await conforms('/api/reports/latest', 'get', 200, body);
  });
});

describe('uploads and jobs', () => {
  const upload = (name: string, content: string | Uint8Array, type = 'application/octet-stream') => {
    const form = new FormData();
    form.append('file', new Blob([content], { type }), name);
    return fetch(`${s.url}/api/uploads`, { method: 'POST', body: form });
  };

  it('ingests an uploaded scenario as a job, progress streamed as events', async () => {
    const res = await upload('energy.yaml', readFileSync(join(repoRoot, 'examples/energy-example.yaml')));
    expect(res.status).toBe(202);
    const job = await json(res);
    await conforms('/api/uploads', 'post', 202, job);
    const events = await (await fetch(`${s.url}/api/jobs/${job.id}/events`)).text();
    expect(events).toMatch(/^event: (progress|done)/m);
    expect(events).toMatch(/event: done\ndata: .*"status":"succeeded"/);
    const done = await json(await fetch(`${s.url}/api/jobs/${job.id}`));
    expect(done.result.report.total).toBe('44600');
    expect((await fetch(`${s.url}/api/jobs/job_nope`)).status).toBe(404);
  });

  it('reports a failed ingest through the job, with the problem', async () => {
    const job = await json(await upload('bad.yaml', 'resources:\n  - { name: x, kind: staff }\n'));
    const done = await s.jobs.wait(job.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ status: 422, issues: [{ path: 'resources[0].yearlyCost' }] });
  });

  it('checks type and content before parsing: unknown extension, binary, empty', async () => {
    expect((await upload('x.exe', 'MZ')).status).toBe(415);
    expect((await upload('x.yaml', new Uint8Array([0, 1, 2, 3, 0, 255]))).status).toBe(415);
    expect((await upload('x.yaml', '')).status).toBe(415);
    expect((await fetch(`${s.url}/api/uploads`, yaml('resources: []'))).status).toBe(415);
  });
});

describe('security', () => {
  it('requires the token when one is set: Bearer, cookie from ?token=, constant-time compare', async () => {
    const t = await startTestServer({ demo: false, token: 's3cret-token' });
    try {
      const denied = await fetch(`${t.url}/api/health`);
      expect(denied.status).toBe(401);
      expect((await json(denied)).title).toBe('Token required');
      expect((await fetch(`${t.url}/api/health`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(`${t.url}/api/health`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200);
      const viaQuery = await fetch(`${t.url}/api/health?token=s3cret-token`);
      expect(viaQuery.status).toBe(200);
      const cookie = viaQuery.headers.get('set-cookie')!;
      expect(cookie).toMatch(/penny_token=.*HttpOnly; SameSite=Strict/);
      expect((await fetch(`${t.url}/api/health`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
      expect((await fetch(`${t.url}/openapi.json`)).status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('refuses writes in read-only mode with 403', async () => {
    const t = await startTestServer({ readOnly: true });
    try {
      const res = await fetch(`${t.url}/api/scenarios`, yaml('resources:\n  - { name: s, kind: staff, yearlyCost: 1 }\n'));
      expect(res.status).toBe(403);
      expect((await json(res)).title).toBe('Read-only server');
      expect((await fetch(`${t.url}/api/reports/latest`)).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('runs', () => {
  it('lists the demo forecast and serves it whole; unknown runs are 404', async () => {
    const all = await json(await fetch(`${s.url}/api/runs`));
    expect(all.map((r: { kind: string }) => r.kind).sort()).toEqual(['forecast', 'plan', 'simulation']);
    const list = await json(await fetch(`${s.url}/api/runs?kind=forecast`));
    expect(list).toHaveLength(1);
    await conforms('/api/runs', 'get', 200, list);
    const run = await json(await fetch(`${s.url}/api/runs/${list[0].id}`));
    expect(run.result.points).toHaveLength(168);
    expect(run.result.historyValues.length).toBeGreaterThan(168);
    await conforms('/api/runs/{id}', 'get', 200, run);
    expect((await fetch(`${s.url}/api/runs/run_nope`)).status).toBe(404);
  });

  it('serves every kind of run with a result its schema types (the dashboard reads these fields)', async () => {
    const all = await json(await fetch(`${s.url}/api/runs`));
    const byKind: Record<string, string[]> = { plan: ['solver', 'plan', 'baselines'], forecast: ['metrics', 'backtest', 'historyValues'], simulation: ['mode', 'policies'] };
    for (const r of all as { id: string; kind: string }[]) {
      const run = await json(await fetch(`${s.url}/api/runs/${r.id}`));
      await conforms('/api/runs/{id}', 'get', 200, run);
      for (const field of byKind[r.kind]!) expect(run.result, `${r.kind} result has ${field}`).toHaveProperty(field);
    }
  });
});

describe('billing', () => {
  it('reports the demo bill by tag and day, exactly, conforming to the document', async () => {
    const rows = await json(await fetch(`${s.url}/api/billing/report?by=tag:team&granularity=month`));
    await conforms('/api/billing/report', 'get', 200, rows);
    expect(rows.map((r: { period: string }) => r.period)).toContain('2026-10');
    expect(rows.every((r: { effectiveCost: string }) => /^-?\d+(\.\d+)?$/.test(r.effectiveCost))).toBe(true);
    // top folds the smaller groups into "(other)" in the database, the totals unchanged.
    const all = await json(await fetch(`${s.url}/api/billing/report?by=ServiceName&granularity=day`));
    const folded = await json(await fetch(`${s.url}/api/billing/report?by=ServiceName&granularity=day&top=2`));
    expect(new Set(folded.map((r: { keys: Record<string, string> }) => r.keys.ServiceName)).size).toBe(3);
    const sumOf = (rs: { effectiveCost: string }[]) => rs.reduce((a, r) => a + Number(r.effectiveCost), 0);
    expect(sumOf(folded)).toBeCloseTo(sumOf(all), 6);
    expect((await fetch(`${s.url}/api/billing/report?top=0`)).status).toBe(422);
    const bad = await fetch(`${s.url}/api/billing/report?by=not%20a%20column`);
    expect(bad.status).toBe(422);
    expect((await fetch(`${s.url}/api/billing/report?from=yesterday`)).status).toBe(422);
    // where keeps the matching rows only: one service's days, adding up to its share exactly.
    const service = all[0].keys.ServiceName as string;
    const one = await json(await fetch(`${s.url}/api/billing/report?by=ServiceName&granularity=day&where=${encodeURIComponent(`ServiceName=${service}`)}`));
    await conforms('/api/billing/report', 'get', 200, one);
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((r: { keys: Record<string, string> }) => r.keys.ServiceName === service)).toBe(true);
    expect(sumOf(one)).toBeCloseTo(sumOf(all.filter((r: { keys: Record<string, string> }) => r.keys.ServiceName === service)), 6);
    const none = await json(await fetch(`${s.url}/api/billing/report?by=ServiceName&where=${encodeURIComponent(`ServiceName=${service}`)}&where=ServiceName=nothing`));
    expect(none).toEqual([]);
    expect((await fetch(`${s.url}/api/billing/report?where=novalue`)).status).toBe(422);
  });

  it('gives budget status with the forecast overrun and its actions', async () => {
    const [b] = await json(await fetch(`${s.url}/api/budgets/status`));
    await conforms('/api/budgets/status', 'get', 200, [b]);
    expect(b.name).toBe('ai-cloud');
    expect(Number(b.overrun)).toBeGreaterThan(0);
    expect(b.actions.length).toBeGreaterThan(0);
  });

  it('lists a budget whose scope matches no data with its problem, and still measures the others', async () => {
    const { SqlBillingStore } = await import('../src/adapters/store/sql-billing-store.js');
    const billing = new SqlBillingStore((s.store as unknown as { session: ConstructorParameters<typeof SqlBillingStore>[0] }).session);
    await billing.saveBudget({ name: 'typo', amount: '1000', currency: 'USD', period: 'month', scope: { kind: 'dimension', dim: { kind: 'column', name: 'ProviderName' }, value: 'AWZ' }, thresholds: [100], createdAt: '2026-11-01T00:00:00Z' });
    try {
      const res = await fetch(`${s.url}/api/budgets/status`);
      expect(res.status).toBe(200);
      const all = (await res.json()) as { name: string; overrun?: string; problem?: { title: string; hint?: string } }[];
      await conforms('/api/budgets/status', 'get', 200, all);
      expect(all.map((b) => b.name)).toEqual(['ai-cloud', 'typo']);
      expect(Number(all[0]!.overrun)).toBeGreaterThan(0);
      expect(all[1]!.problem?.title).toMatch(/no rows match ProviderName=AWZ in the budget's period \(2026-10\); did you mean ProviderName=AWS\?/);
      expect(all[1]!.problem?.hint).toMatch(/penny budget set typo/);
    } finally {
      await billing.deleteBudget('typo');
    }
    expect((await fetch(`${s.url}/api/budgets/status`)).status).toBe(200);
  });

  it('ingests an uploaded FOCUS export as a job; the same file again changes nothing', async () => {
    const lines = ['BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost,ServiceName,Tags', 'USD,2026-10-20T00:00:00Z,2026-10-21T00:00:00Z,0.123456789012,0.1,GPU,"{""team"":""x""}"', ''];
    const send = async () => {
      const form = new FormData();
      form.append('file', new Blob([lines.join('\n')], { type: 'text/csv' }), 'bill.csv');
      const job = await json(await fetch(`${s.url}/api/uploads`, { method: 'POST', body: form }));
      return s.jobs.wait(job.id);
    };
    const first = await send();
    expect(first.status).toBe('succeeded');
    expect(first.result).toMatchObject({ kind: 'focus', status: 'ingested', file: { rows: 1, billedTotal: '0.123456789012' } });
    const again = await send();
    expect(again.result).toMatchObject({ kind: 'focus', status: 'already-ingested' });
  });
});

describe('gpus', () => {
  it('serves usage per interval and the waste findings of the demo telemetry', async () => {
    const u = await json(await fetch(`${s.url}/api/gpus/usage?interval=1h`));
    await conforms('/api/gpus/usage', 'get', 200, u);
    expect(u.gpus).toHaveLength(3);
    expect(u.periods.length).toBeGreaterThanOrEqual(3 * 4);
    const w = await json(await fetch(`${s.url}/api/gpus/waste`));
    await conforms('/api/gpus/waste', 'get', 200, w);
    expect(w.recommendations.length).toBeGreaterThan(0);
    // The total counts each GPU-hour once: the listed (best) recommendations, not their alternatives.
    const sumOf = (rs: { saving: string }[]) => rs.reduce((a, r) => a.plus(r.saving), new Decimal(0));
    expect(w.savingTotal).toBe(sumOf(w.recommendations).toFixed());
    const groups = w.recommendations.map((r: { exclusiveGroup?: string }) => r.exclusiveGroup).filter(Boolean);
    expect(new Set(groups).size).toBe(groups.length);
    expect((await fetch(`${s.url}/api/gpus/usage?interval=soon`)).status).toBe(422);
    // The report's options as query fields: a whole-range period, prices, and bad values refused.
    const whole = await json(await fetch(`${s.url}/api/gpus/usage?interval=whole&pricePerKwh=0.25&pue=1.5&currency=eur`));
    await conforms('/api/gpus/usage', 'get', 200, whole);
    expect(whole.periods).toHaveLength(3);
    expect(whole.options).toMatchObject({ pricePerKwh: '0.25', pue: '1.5', currency: 'EUR' });
    expect(whole.periods.every((p: { energyCost?: string }) => p.energyCost !== undefined)).toBe(true);
    const strict = await json(await fetch(`${s.url}/api/gpus/waste?lowUtilPct=90&gpuPricePerHour=1.5&idleUtilPct=5`));
    expect(strict.options).toMatchObject({ lowUtilPct: 90, idleUtilPct: 5 });
    expect(strict.gpus.every((g: { price: { pricePerHour: string } }) => g.price.pricePerHour === '1.5')).toBe(true);
    // GPUs busy per slot: at most the number of GPUs in any slot, an hour apart.
    const busy = await json(await fetch(`${s.url}/api/gpus/busy?interval=1h`));
    await conforms('/api/gpus/busy', 'get', 200, busy);
    expect(busy.intervalMs).toBe(3_600_000);
    expect(busy.slots.length).toBeGreaterThanOrEqual(4);
    expect(busy.slots.every((x: { t: number; value: number }) => x.t % 3_600_000 === 0 && x.value >= 0 && x.value <= 3)).toBe(true);
    expect((await fetch(`${s.url}/api/gpus/busy?interval=1s`)).status).toBe(422);
    for (const q of ['currency=usdx', 'currency=XYZ', 'pue=9', 'idleUtilPct=101', 'from=yesterday', 'from=2024-06-01&to=2024-05-01']) {
      const r = await fetch(`${s.url}/api/gpus/waste?${q}`);
      expect(r.status, q).toBe(422);
      // A problem document: what was wrong, in words (never an empty 4xx).
      expect(typeof (await json(r)).title, q).toBe('string');
    }
  });
});

describe('plans as jobs', () => {
  const inline = 'name: api-plan\ncurrency: USD\nperiodHours: 1\nperiods: 3\ncatalogs: [builtin]\nclasses:\n  - name: inference\n    demand: [4, 8, 2]\n    gpus: { H100: 2, A100: 1 }\n    spotShare: 0\n';

  it('solves an inline plan as a job, followed by events, and records it', async () => {
    const res = await fetch(`${s.url}/api/plans`, yaml(inline));
    expect(res.status).toBe(202);
    const job = await json(res);
    await conforms('/api/plans', 'post', 202, job);
    const events = await (await fetch(`${s.url}/api/jobs/${job.id}/events`)).text();
    expect(events).toMatch(/event: done\ndata: .*"status":"succeeded"/);
    const done = await json(await fetch(`${s.url}/api/jobs/${job.id}`));
    expect(Number(done.result.plan.totalUsd)).toBeGreaterThan(0);
    const run = await json(await fetch(`${s.url}/api/runs/${done.result.runId}`));
    expect(run.kind).toBe('plan');
    expect(run.result.scenario).toBe('api-plan');
  });

  it('refuses a plan that would make the server read files, before solving anything', async () => {
    const res = await fetch(`${s.url}/api/plans`, yaml(inline.replace('demand: [4, 8, 2]', 'demand: { csv: /etc/passwd, column: root }').replace('[builtin]', '[builtin, ../../secret.csv]')));
    expect(res.status).toBe(422);
    const p = await json(res);
    expect(p.issues.map((i: { path: string }) => i.path).sort()).toEqual(['catalogs[1]', 'classes[0].demand']);
    const bad = await fetch(`${s.url}/api/plans`, yaml('periodHours: lots\nclasses: []\n'));
    expect(bad.status).toBe(422);
    expect((await json(bad)).issues[0].file).toBe('request body');
  });
});

describe('simulations as jobs', () => {
  const scenario = readFileSync(join(repoRoot, 'examples/sim/cloud.yaml'), 'utf8');
  const jobs = readFileSync(join(repoRoot, 'examples/sim/jobs.csv'), 'utf8');
  const post = (body: unknown) => fetch(`${s.url}/api/simulations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('compares policies on a posted trace as a job and records the run', async () => {
    const res = await post({ scenario, jobs, policies: ['fifo', 'best-fit'] });
    expect(res.status).toBe(202);
    const job = await json(res);
    const done = await s.jobs.wait(job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const r = done.result as { runId: string; simulation: { policies: { policy: string }[] } };
    expect(r.simulation.policies.map((p) => p.policy)).toEqual(['fifo', 'best-fit']);
    expect((await json(await fetch(`${s.url}/api/runs/${r.runId}`))).kind).toBe('simulation');
  });

  it('refuses trace files, unknown policies and a missing trace with 422', async () => {
    const withTrace = scenario.replace(/pools:\n/, 'pools:\n  - { name: s, gpuType: V100, gpusPerNode: 1, pricing: spot, pricePerNodeHour: 1, maxNodes: 1, spot: { trace: /etc/passwd } }\n');
    const a = await post({ scenario: withTrace, jobs });
    expect(a.status).toBe(422);
    expect((await json(a)).issues[0].path).toMatch(/spot\.trace/);
    expect((await post({ scenario, jobs, policies: ['telepathy'] })).status).toBe(422);
    expect((await post({ scenario })).status).toBe(422);
  });
});

describe('the OpenAPI document', () => {
  // Last in the file: it checks every response the tests above provoked.
  it('declares every response the tests received, with its content type and schema', async () => {
    const doc = await json(await fetch(`${s.url}/openapi.json`));
    expect(s.responses.length).toBeGreaterThan(30);
    expect(nonConforming(doc, s.responses)).toEqual([]);
    // ...and it can fail: an undeclared status, a wrong content type, a body off its schema.
    const bad = nonConforming(doc, [
      { method: 'get', route: '/api/health', status: 418, contentType: 'application/json', body: '{}' },
      { method: 'get', route: '/api/health', status: 200, contentType: 'text/html', body: '' },
      { method: 'get', route: '/api/health', status: 200, contentType: 'application/json', body: '{"status":1}' },
      { method: 'get', route: '/api/runs/:id', status: 404, contentType: 'application/problem+json', body: '{"title":"x"}' },
    ]);
    expect(bad).toHaveLength(4);
  });
});
