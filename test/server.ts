/** A real server on an ephemeral loopback port over a temporary workspace, for API and browser tests. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
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
  if (opts.demo !== false) await copyDemoWorkspace(workspaceDir);
  // As `penny serve` opens it: bulk writes by COPY, off the event loop.
  const ws = await openWorkspace(workspaceDir, { clock: fixedClock, solver: highsSolver }, { serving: true });
  const store = ws.store;
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

/** The demo workspace (what `penny demo` builds, at fixedClock) in `dir`: a copy of the run's one build. */
export async function copyDemoWorkspace(dir: string): Promise<void> {
  const template = await demoTemplate();
  if (template) cpSync(template, dir, { recursive: true });
  else await withDemo(dir);
}

/** Build the demo workspace in `dir`, as `penny demo` does, and close it (its database complete on disk). */
async function withDemo(dir: string): Promise<void> {
  const ws = await openWorkspace(dir, { clock: fixedClock, solver: highsSolver }, { serving: true });
  try {
    const source = readFileSync(join(repoRoot, 'examples', 'demo', 'scenario.yaml'), 'utf8');
    const { series } = await loadSeries(join(repoRoot, 'examples', 'demo', 'gpu-demand.csv'));
    const bill = join(repoRoot, 'examples', 'demo', 'billing-focus.csv');
    await buildDemo(ws.store, fixedClock, {
      scenario: parseScenario(source),
      scenarioSource: source,
      demand: { series, source: 'examples/demo/gpu-demand.csv' },
      billing: { store: ws.billing, path: bill, source: await focusSource(bill), budgetUsd: '150000' },
      telemetry: { store: ws.telemetry, io: telemetryIo, file: join(repoRoot, 'examples', 'demo', 'gpu-telemetry.csv') },
    });
    await recordDemoRuns(ws, repoRoot);
  } finally {
    await ws.close();
  }
}

/**
 * The demo workspace built once per `vitest run` in the folder test/global-setup.ts provides, for
 * every server to copy: the first file to need it builds it (under a lock, since two files run at
 * once), the others wait for it. Undefined outside such a run: the caller builds its own.
 */
async function demoTemplate(): Promise<string | undefined> {
  let cache: string | undefined;
  try {
    cache = inject('demoCacheDir');
  } catch {
    // Not inside a vitest run (bench/api.bench.ts starts servers too).
  }
  if (!cache) return undefined;
  const done = join(cache, 'demo');
  const lock = join(cache, 'building');
  const deadline = Date.now() + 100_000;
  while (!existsSync(done)) {
    let mine = false;
    try {
      mkdirSync(lock);
      mine = true;
    } catch {
      // Another file is building it.
    }
    if (mine) {
      try {
        if (existsSync(done)) break;
        const dir = mkdtempSync(join(cache, 'partial-'));
        await withDemo(dir);
        // Whole or not at all: a reader never sees a half-built workspace.
        renameSync(dir, done);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      break;
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
  return done;
}
