/** A real server on an ephemeral loopback port over a temporary workspace, for API and browser tests. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemo } from '../src/app/demo.js';
import { buildServer, type ServerOptions } from '../src/adapters/http/server.js';
import { openWorkspace, SqlWorkspace } from '../src/adapters/store/workspace.js';
import type { Clock } from '../src/app/ports.js';
import { highsSolver } from '../src/adapters/solver/highs.js';
import { parseScenario } from '../src/adapters/importers/scenario.js';
import { loadSeries } from '../src/adapters/importers/series-source.js';
import { focusSource } from '../src/adapters/importers/focus-thread.js';
import { telemetryIo } from '../src/adapters/importers/telemetry-io.js';
import { recordDemoRuns } from '../src/adapters/cli/commands/demo.js';
import { repoRoot } from './shared-data.js';
import { recordResponses } from './openapi-conformance.js';

export const fixedClock = { now: () => new Date('2026-11-01T12:00:00Z') };

export async function startTestServer(opts: Partial<ServerOptions> & { demo?: boolean; host?: string; clock?: Clock } = {}) {
  const workspaceDir = mkdtempSync(join(tmpdir(), 'penny-http-'));
  // As `penny serve` opens it: bulk writes by COPY, off the event loop.
  const ws = await openWorkspace(workspaceDir, { clock: fixedClock, solver: highsSolver }, { serving: true });
  const store = ws.store;
  if (opts.demo !== false) {
    const source = readFileSync(join(repoRoot, 'examples', 'demo', 'scenario.yaml'), 'utf8');
    const { series } = await loadSeries(join(repoRoot, 'examples', 'demo', 'gpu-demand.csv'));
    const bill = join(repoRoot, 'examples', 'demo', 'billing-focus.csv');
    await buildDemo(store, fixedClock, {
      scenario: parseScenario(source),
      scenarioSource: source,
      demand: { series, source: 'examples/demo/gpu-demand.csv' },
      billing: { store: ws.billing, path: bill, source: await focusSource(bill), budgetUsd: '150000' },
      telemetry: { store: ws.telemetry, io: telemetryIo, file: join(repoRoot, 'examples', 'demo', 'gpu-telemetry.csv') },
    });
    await recordDemoRuns(ws, repoRoot);
  }
  const { app, jobs } = await buildServer({ workspace: opts.clock ? new SqlWorkspace(ws.session, { clock: opts.clock, solver: highsSolver }) : ws, workspaceDir, webRoot: join(repoRoot, 'dist', 'web'), ...opts });
  const responses = recordResponses(app);
  const address = await app.listen({ host: opts.host ?? '127.0.0.1', port: 0 });
  return {
    app,
    jobs,
    store,
    workspace: ws,
    /** Every JSON response so far, to check against the OpenAPI document. */
    responses,
    url: address,
    workspaceDir,
    async close() {
      await app.close();
      await store.close();
      rmSync(workspaceDir, { recursive: true, force: true });
    },
  };
}
