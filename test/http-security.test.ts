/**
 * The API is safe to expose on loopback: no cross-site or DNS-rebinding writes, security headers and
 * a strict CSP, no crash, stall or 500 from one request, no server paths or SQL in error details.
 */
import { gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact, redactProblem, problem, toProblem } from '../src/adapters/http/problem.js';
import { hostAllowed } from '../src/adapters/http/server.js';
import { checkYamlShape, MAX_YAML_BYTES } from '../src/adapters/http/limits.js';
import { StoreError } from '../src/adapters/store/session.js';
import { startTestServer } from './server.js';
import { nonConforming } from './openapi-conformance.js';
import { repoRoot } from './shared-data.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();
const scenarioYaml = 'resources:\n  - { name: s, kind: staff, yearlyCost: 1 }\n';

/** fetch() cannot set Host; a raw request can. */
function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

describe('DNS rebinding and cross-site requests', () => {
  it('answers only to its own host names (421 otherwise)', async () => {
    const port = new URL(s.url).port;
    const evil = await rawRequest(`${s.url}/api/reports/latest`, { headers: { host: `attacker.example:${port}` } });
    expect(evil.status).toBe(421);
    expect(evil.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(evil.body).not.toMatch(/demo-ai-team/);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await rawRequest(`${s.url}/api/health`, { headers: { host } })).status, host).toBe(200);
    }
  });

  it('takes extra names with allowedHosts; a wildcard bind accepts IP literals but not names', () => {
    expect(hostAllowed('penny.internal:8000', '127.0.0.1', ['penny.internal'])).toBe(true);
    expect(hostAllowed('penny.internal:8000', '127.0.0.1', [])).toBe(false);
    expect(hostAllowed('10.1.2.3:8000', '0.0.0.0', [])).toBe(true);
    expect(hostAllowed('10.1.2.3:8000', '10.1.2.3', [])).toBe(true);
    expect(hostAllowed('10.9.9.9:8000', '10.1.2.3', [])).toBe(false);
    expect(hostAllowed('rebind.attacker.example', '0.0.0.0', [])).toBe(false);
    expect(hostAllowed(undefined, '127.0.0.1', [])).toBe(false);
  });

  it('refuses writes from another origin (403) and allows its own', async () => {
    const post = (headers: Record<string, string>) => fetch(`${s.url}/api/scenarios/validate`, { method: 'POST', headers: { 'content-type': 'application/yaml', ...headers }, body: scenarioYaml });
    const cross = await post({ origin: 'https://attacker.example' });
    expect(cross.status).toBe(403);
    expect((await json(cross)).type).toBe('urn:penny:problem:cross-site');
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ origin: s.url })).status).toBe(200);
    expect((await post({ origin: s.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Reading is not a write: GETs are not checked for Origin.
    expect((await fetch(`${s.url}/api/health`, { headers: { origin: 'https://attacker.example' } })).status).toBe(200);
  });

  it('parses no simple-request content type for writes: text/plain and forms are 415', async () => {
    const before = (await json(await fetch(`${s.url}/api/scenarios`))).length;
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'text/plain;charset=UTF-8']) {
      const res = await fetch(`${s.url}/api/scenarios`, { method: 'POST', headers: { 'content-type': type }, body: scenarioYaml });
      expect(res.status, type).toBe(415);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    const form = new FormData();
    form.append('file', new Blob([scenarioYaml]), 'x.yaml');
    expect((await fetch(`${s.url}/api/scenarios`, { method: 'POST', body: form })).status).toBe(422);
    expect((await json(await fetch(`${s.url}/api/scenarios`))).length).toBe(before);
  });
});

describe('security headers', () => {
  it('serves the dashboard and API with a strict CSP and the usual headers', async () => {
    const res = await fetch(`${s.url}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    // The built page loads only same-origin files, nothing inline, so the CSP allows all of it.
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    for (const [, src] of html.matchAll(/(?:src|href)="(\.\/assets\/[^"]+)"/g)) expect((await fetch(new URL(src!, `${s.url}/`))).status, src).toBe(200);
    expect((await fetch(`${s.url}/api/health`)).headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  });

  it('gives the /docs reference page its own policy, still without inline script', async () => {
    const res = await fetch(`${s.url}/docs/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).toMatch(/style-src 'self' 'unsafe-inline'/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    for (const [, src] of html.matchAll(/src="\.\/([^"]+)"/g)) expect((await fetch(`${s.url}/docs/${src}`)).status, src).toBe(200);
  });
});

describe('one request cannot stop or stall the server', () => {
  const upload = (name: string, content: string | Uint8Array) => {
    const form = new FormData();
    form.append('file', new Blob([content]), name);
    return fetch(`${s.url}/api/uploads`, { method: 'POST', body: form });
  };

  it('a truncated or garbage gzip upload is refused with a 422 (checked before any job), and the server lives', async () => {
    for (const bytes of [new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0]), gzipSync(Buffer.from('BilledCost,ChargePeriodStart\n1,2026-01-01\n')).subarray(0, 25)]) {
      const res = await upload('bill.csv.gz', bytes);
      expect(res.status).toBe(422);
      const p = (await json(res)) as { detail?: string };
      expect(p.detail).toMatch(/gzip stream is cut short or corrupt/);
      expect(p.detail).not.toMatch(new RegExp(s.workspaceDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
    }
  });

  it('holds an uploaded scenario to the YAML limits of a request body', async () => {
    const big = await upload('big.yaml', `resources:\n${'  - { name: n, kind: staff, yearlyCost: 1 }\n'.repeat(MAX_YAML_BYTES / 40)}`);
    expect(big.status).toBe(413);
    const deep = await upload('deep.yaml', `resources: []\nx: ${'['.repeat(100)}`);
    const done = await s.jobs.wait((await json(deep)).id);
    expect(done.error?.status).toBe(422);
  });

  it('deletes uploaded files once their job is done, ingested or failed', async () => {
    const ok = await s.jobs.wait((await json(await upload('energy.yaml', readFileSync(join(repoRoot, 'examples/energy-example.yaml'))))).id);
    expect(ok.status).toBe('succeeded');
    const bad = await s.jobs.wait((await json(await upload('bad.yaml', 'resources:\n  - { name: x, kind: staff }\n'))).id);
    expect(bad.status).toBe('failed');
    const dir = join(s.workspaceDir, 'uploads');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('refuses YAML that is too big, too deep or an alias bomb, quickly and without a 500', async () => {
    const post = (body: string, path = '/api/scenarios/validate') => fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body });
    const t0 = Date.now();
    const big = await post(`resources:\n${'  - 1\n'.repeat(MAX_YAML_BYTES / 6 + 10)}`);
    expect(big.status).toBe(413);
    const deepFlow = await post(`a: ${'['.repeat(100_000)}`);
    expect(deepFlow.status).toBe(422);
    expect((await json(deepFlow)).detail).toMatch(/nested more than 32 levels/);
    let indented = '';
    for (let i = 0; i < 200; i++) indented += `${' '.repeat(i)}k${i}:\n`;
    expect((await post(indented)).status).toBe(422);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');
    for (const path of ['/api/scenarios/validate', '/api/plans']) {
      const res = await post(bomb, path);
      expect(res.status, path).toBe(422);
      expect((await json(res)).detail).toMatch(/alias/i);
    }
    const sim = await fetch(`${s.url}/api/simulations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: bomb, jobs: 'a\n1\n' }) });
    expect(sim.status).toBe(422);
    // A flat map of many keys is linear to check now (the parser's own duplicate check was quadratic).
    const flat = Array.from({ length: 20_000 }, (_, i) => `k${i}: 1`).join('\n');
    const t1 = Date.now();
    expect((await post(flat)).status).toBe(422);
    expect(Date.now() - t1).toBeLessThan(10_000);
    expect((await post('resources: []\nresources: []\n')).status).toBe(422);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('refuses deep JSON before anything recurses into it', async () => {
    for (const path of ['/api/plans', '/api/scenarios/cost', '/api/simulations']) {
      const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `${'['.repeat(50_000)}${']'.repeat(50_000)}` });
      expect(res.status, path).toBe(422);
    }
  });

  it('bounds usage queries: an interval floor and a point limit, each a 422 that says the limit', async () => {
    for (const interval of ['0m', '1s', '59s', '99999999999999999999h', '400d', '1.5h']) {
      const res = await fetch(`${s.url}/api/gpus/usage?interval=${interval}`);
      expect(res.status, interval).toBe(422);
    }
    expect((await json(await fetch(`${s.url}/api/gpus/usage?interval=0m`))).detail).toMatch(/1m to 366d/);
    const fine = await fetch(`${s.url}/api/gpus/usage?interval=1m`);
    expect(fine.status).toBe(200);
    expect(Number(fine.headers.get('content-length') ?? (await fine.clone().text()).length)).toBeLessThan(2_000_000);
  });

  it('cuts off a request whose body never finishes', async () => {
    const t = await startTestServer({ demo: false, requestTimeoutMs: 1000 });
    try {
      const u = new URL(t.url);
      const started = Date.now();
      const outcome = await new Promise<string>((resolve) => {
        const req = request({ host: u.hostname, port: u.port, path: '/api/scenarios/validate', method: 'POST', headers: { 'content-type': 'application/yaml', 'content-length': '1000' } }, (res) => resolve(`status ${res.statusCode}`));
        req.on('error', () => resolve('closed'));
        req.write('resources:\n');
        // ...and nothing more.
      });
      expect(outcome).toMatch(/status 408|closed/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await t.close();
    }
  }, 30_000);
});

describe('no unhandled 500s', () => {
  it('repeated parameters, bad simulations and bad values are 4xx problems', async () => {
    const get = (q: string) => fetch(`${s.url}${q}`);
    for (const q of ['/api/billing/report?by=ServiceName&by=ServiceName', '/api/billing/report?top=1&top=2', '/api/gpus/usage?interval=1h&interval=2h', '/api/runs?kind=plan&kind=forecast', '/api/billing/report?by=' + 'a,'.repeat(20), '/api/billing/report?from=%E0%A4%A']) {
      const res = await get(q);
      expect(res.status, q).toBeGreaterThanOrEqual(400);
      expect(res.status, q).toBeLessThan(500);
    }
    const sim = (body: unknown) => fetch(`${s.url}/api/simulations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const scenario of ['pools: 5', 'pools: [5, null, {spot: 3}]', '5', '~', '[1,2]']) {
      const res = await sim({ scenario, jobs: 'arrival,gpus,duration\n0,1,10\n' });
      expect(res.status, scenario).toBe(422);
    }
    expect((await sim({ scenario: 'x: 1', jobs: 5 })).status).toBe(422);
    expect((await sim({ scenario: 'x: 1', jobs: 'a', policies: 'fifo' })).status).toBe(422);
    expect((await fetch(`${s.url}/api/plans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '5' })).status).toBe(422);
    expect((await fetch(`${s.url}/api/plans`, { method: 'POST', headers: { 'content-type': 'application/yaml' } })).status).toBe(422);
  });

  it('a malformed or overlong path parameter is a problem too, not the framework\'s own JSON', async () => {
    for (const [method, path, status] of [['GET', `/api/runs/${'x'.repeat(5000)}`, 414], ['GET', '/api/runs/%E0%A4%A', 400], ['DELETE', `/api/budgets/${'b'.repeat(101)}`, 414]] as const) {
      const res = await fetch(`${s.url}${path}`, { method });
      expect(res.status, path.slice(0, 40)).toBe(status);
      expect(res.headers.get('content-type'), path.slice(0, 40)).toMatch(/^application\/problem\+json/);
      const body = await json(res);
      expect(body).toMatchObject({ status, type: expect.stringMatching(/^urn:penny:problem:/) });
      // The refused text is not echoed back (it may be 100 KiB).
      expect(JSON.stringify(body).length).toBeLessThan(600);
    }
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
  });

  it('with a token: repeated ?token= and a malformed cookie are 401, not 500', async () => {
    const t = await startTestServer({ demo: false, token: 'tok' });
    try {
      expect((await fetch(`${t.url}/api/health?token=x&token=y`)).status).toBe(401);
      expect((await fetch(`${t.url}/api/health?token=tok&token=tok`)).status).toBe(401);
      expect((await fetch(`${t.url}/api/health`, { headers: { cookie: 'penny_token=%E0%A4%A' } })).status).toBe(401);
      expect((await fetch(`${t.url}/api/health`, { headers: { cookie: 'penny_token=tok' } })).status).toBe(200);
      const doc = await json(await fetch(`${t.url}/openapi.json`, { headers: { authorization: 'Bearer tok' } }));
      expect(doc.paths['/api/health'].get.responses['401'].content['application/problem+json']).toBeDefined();
    } finally {
      await t.close();
    }
  });

  it('keeps SQL and server paths out of error details', () => {
    const store = toProblem(new StoreError('Binder Error: column x not found', 'SELECT secret FROM billing_rows WHERE x = 1'));
    expect(store.status).toBe(500);
    expect(JSON.stringify(store)).not.toMatch(/SELECT|billing_rows/);
    expect(redact('/home/me/ws/uploads/1234.csv: not a readable CSV file')).toBe('1234.csv: not a readable CSV file');
    expect(redact('could not read\nLINE 1: SELECT * FROM read_parquet(...)')).toBe('could not read');
    const p = redactProblem(problem(422, 'x', 'X', 'bad', { issues: [{ path: '', file: '/tmp/penny-x/uploads/a.csv', message: 'in /tmp/penny-x/uploads/a.csv' }] }));
    expect(p.issues![0]).toMatchObject({ file: 'a.csv', message: 'in a.csv' });
  });

  it('checks YAML shape without a parser', () => {
    expect(() => checkYamlShape('a:\n  b:\n    - [1, {c: 2}]\n', 'x')).not.toThrow();
    expect(() => checkYamlShape('['.repeat(40), 'x')).toThrow(/nested more than 32/);
  });
});

describe('the OpenAPI document', () => {
  it('declares every refusal above, as application/problem+json', async () => {
    const doc = await json(await fetch(`${s.url}/openapi.json`));
    expect(nonConforming(doc, s.responses)).toEqual([]);
  });
});
