#!/usr/bin/env node
/** Composition root: the only place that wires adapters into the app. */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { systemClock } from './app/ports.js';
import { deferredSolver, type SolverFactory } from './app/workspace.js';
import { runCli } from './adapters/cli/program.js';
import { terminalProgress } from './adapters/cli/render.js';
import { resolveWorkspace } from './adapters/store/workspace-path.js';
import type { CliContext } from './adapters/cli/context.js';

// A reader that stops early (`penny catalog | head -1`) closes the pipe: that is the reader's
// choice, not an error, so leave quietly instead of printing a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// One clock and one solver for the whole process; every workspace a command opens gets them.
const clock = systemClock;
// The solver's WebAssembly loads on the first solve, not at start-up (`penny --help` stays fast).
const solver: SolverFactory = (onProgress) => deferredSolver('HiGHS (WebAssembly)', async () => new (await import('./adapters/solver/highs.js')).HighsSolver(onProgress));

const ctx: CliContext = {
  stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  clock,
  solver,
  // The database driver loads only for commands that open the workspace.
  openWorkspace: async (dir, o = {}) => {
    const { openWorkspace, resolveDatabase } = await import('./adapters/store/workspace.js');
    return openWorkspace(dir, { clock, solver }, { databaseUrl: resolveDatabase(ctx.database), ...(o.serving && { serving: true }), ...(o.bulkLoad && { bulkLoad: true }) });
  },
  buildServer: async (o) => (await import('./adapters/http/server.js')).buildServer(o),
  workspaceDir: (flag) => resolveWorkspace(flag),
  progress: (json) => terminalProgress(process.stderr, !json && process.stderr.isTTY === true),
  packageRoot,
};

const code = await runCli(process.argv.slice(2), ctx);
// Let stdout drain before leaving: a pipe reader must get every byte of the JSON.
process.exitCode = code;
