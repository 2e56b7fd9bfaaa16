/**
 * The HTTP server on a shared PostgreSQL, under concurrent writes while one of them fails: every
 * confirmed write is there afterwards, nothing of the failed one is. Also the GPU telemetry
 * upload route's refusals.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRunner } from '../src/app/jobs.js';
import { buildServer } from '../src/adapters/http/server.js';
import { SqlBillingStore } from '../src/adapters/store/sql-billing-store.js';
import type { SqlStore } from '../src/adapters/store/sql-store.js';
import { openPostgresStore, workspaceOf } from '../src/adapters/store/workspace.js';
import { highsSolver } from '../src/adapters/solver/highs.js';
import { demoBill, focusCsv } from './fixtures/focus.js';
import { freshSchema, postgresUnavailable, startPostgres, type TestPostgres } from './postgres.js';
import { fixedClock } from './server.js';
import { repoRoot } from './shared-data.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping PostgreSQL HTTP tests: ${unavailable}`);

// Each test runs the built binary or a server many times; on a loaded 2-core machine that takes minutes.
const E2E_TIMEOUT_MS = 300_000;

describe.skipIf(!!unavailable)('the server on PostgreSQL', () => {
  let pg: TestPostgres;
  let store: SqlStore;
  let app: FastifyInstance;
  let jobs: JobRunner;
  let url: string;
  let ws: string;
  beforeAll(async () => {
    pg = await startPostgres();
    ws = mkdtempSync(join(tmpdir(), 'penny-httppg-'));
    store = await openPostgresStore(pg.url, { schema: freshSchema('http') });
    ({ app, jobs } = await buildServer({ workspace: workspaceOf(store, { clock: fixedClock, solver: highsSolver }), workspaceDir: ws }));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(ws, { recursive: true, force: true });
    await pg?.stop();
  });

  const upload = (path: string, name: string, content: string, fields: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([content]), name);
    return fetch(`${url}${path}`, { method: 'POST', body: form });
  };

  it('keeps every confirmed write while a large upload fails beside them', async () => {
    // Two billing accounts: the same months of one account would be a restatement, not a second bill.
    const good = [focusCsv(demoBill({ from: '2026-01-01', days: 200, seed: 3 })), focusCsv(demoBill({ from: '2026-01-01', days: 200, seed: 4, account: '210987654321' }))];
    // 21,000 rows, the last one bad: it fails after several batches are written.
    const lines = focusCsv(demoBill({ from: '2025-01-01', days: 3000, seed: 5 })).trimEnd().split('\n');
    lines[lines.length - 1] = lines.at(-1)!.replace(/,(\d+\.\d+),/, ',twelve,');
    const bad = `${lines.join('\n')}\n`;
    const scenario = (i: number) => `name: team-${i}\nresources:\n  - { name: gpu, kind: instance, pricePerHour: '2.${i}', count: ${i + 1} }\n`;
    const [badRes, ...rest] = await Promise.all([
      upload('/api/uploads', 'big.csv', bad),
      ...good.map((g, i) => upload('/api/uploads', `good-${i}.csv`, g)),
      ...Array.from({ length: 12 }, (_, i) => fetch(`${url}/api/scenarios`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: scenario(i) })),
      upload('/api/gpus/telemetry', 'gpu.csv', readFileSync(join(repoRoot, 'examples', 'demo', 'gpu-telemetry.csv'), 'utf8'), { host: 'node-1' }),
    ]);
    expect(badRes!.status).toBe(202);
    const failed = await jobs.wait(((await badRes!.json()) as { id: string }).id);
    expect(failed.status).toBe('failed');
    // Bad input stays bad input through a PostgreSQL transaction: 422 with the line, not a 500.
    expect(failed.error).toMatchObject({ status: 422 });
    expect(JSON.stringify(failed.error)).toMatch(/:21001/);
    const bodies = await Promise.all(rest.map(async (r) => ({ status: r.status, body: (await r.json()) as { id?: string; scenarioId?: string } })));
    const jobIds = bodies.filter((b) => b.status === 202).map((b) => b.body.id!);
    const confirmed = bodies.filter((b) => b.status === 201).map((b) => b.body.scenarioId!);
    expect(jobIds).toHaveLength(3);
    expect(confirmed).toHaveLength(12);
    for (const id of jobIds) expect((await jobs.wait(id)).status, id).toBe('succeeded');
    const listed = (await (await fetch(`${url}/api/scenarios`)).json()) as { id: string }[];
    expect(listed.map((s) => s.id).sort()).toEqual([...confirmed].sort());
    const billing = new SqlBillingStore(store.session);
    const rows = await billing.billingReport({ by: [] });
    expect(rows.reduce((t, r) => t + r.rows, 0)).toBe(2 * 200 * 7);
    expect(await billing.listBillingFiles()).toHaveLength(2);
    const usage = (await (await fetch(`${url}/api/gpus/usage`)).json()) as { gpus: unknown[] };
    expect(usage.gpus).toHaveLength(3);
  }, E2E_TIMEOUT_MS);

  it('refuses a GPU telemetry upload that is not an nvidia-smi log, or a bad offset', async () => {
    const notSmi = await upload('/api/gpus/telemetry', 'x.csv', 'a,b\n1,2\n');
    expect(notSmi.status).toBe(422);
    expect(notSmi.headers.get('content-type')).toMatch(/problem\+json/);
    const offset = await upload('/api/gpus/telemetry', 'gpu.csv', readFileSync(join(repoRoot, 'examples', 'demo', 'gpu-telemetry.csv'), 'utf8'), { utcOffsetMinutes: '1.5' });
    expect(offset.status).toBe(422);
    expect(((await offset.json()) as { issues: { path: string }[] }).issues[0]!.path).toBe('utcOffsetMinutes');
    expect((await upload('/api/gpus/telemetry', 'x.exe', 'MZ')).status).toBe(415);
  }, E2E_TIMEOUT_MS);
});
