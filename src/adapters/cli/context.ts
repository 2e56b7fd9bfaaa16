/** What a command needs from the outside, passed in (main.ts wires the real ones; tests fake them). */
import type { Command } from 'commander';
import type { Clock, Progress } from '../../app/ports.js';
import type { SolverFactory, Workspace } from '../../app/workspace.js';
import type { ServerOptions } from '../http/server.js';

export interface CliContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  clock: Clock;
  /** --database as given on the command line (set before a command runs); PENNY_DATABASE_URL otherwise. */
  database?: string;
  /**
   * Open the workspace named by --workspace / PENNY_WORKSPACE / ./.penny (on --database when
   * given); `serving`: for a server, whose bulk writes must leave the event loop free; `bulkLoad`:
   * for a command that loads files (penny ingest), whose memory must not grow with them.
   */
  openWorkspace(workspaceDir: string, o?: { serving?: boolean; bulkLoad?: boolean }): Promise<Workspace>;
  /** A solver for commands that solve without a workspace (`penny plan` without recording). */
  solver: SolverFactory;
  /** Build the HTTP server over an open workspace (`penny serve`, `penny demo --serve`). */
  buildServer(o: ServerOptions): Promise<{ app: import('fastify').FastifyInstance }>;
  workspaceDir(flag?: string): string;
  progress(json: boolean): Progress;
  /** The installed package's root (examples/ and the built dashboard live there). */
  packageRoot: string;
}

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Options every command inherits from the root (`penny --workspace DIR cost …`). */
export function globalOpts(cmd: Command): { workspace?: string; database?: string } {
  return cmd.optsWithGlobals() as { workspace?: string; database?: string };
}

/**
 * The options among `names` (attribute names: spotOffset) given on the command line, as their
 * flags (--spot-offset): a command refuses those its input does not read rather than ignore them.
 */
export function givenFlags(cmd: Command, names: readonly string[]): string[] {
  return names.filter((n) => cmd.getOptionValueSource(n) === 'cli').map((n) => cmd.options.find((o) => o.attributeName() === n)?.long ?? `--${n}`);
}

/** Open the command's workspace, run `fn`, and close it whatever happens. */
export async function withWorkspace<T>(ctx: CliContext, cmd: Command, fn: (ws: Workspace) => Promise<T>): Promise<T> {
  const ws = await ctx.openWorkspace(ctx.workspaceDir(globalOpts(cmd).workspace));
  try {
    return await fn(ws);
  } finally {
    await ws.close();
  }
}

/** Print a value as JSON: money values are already decimal strings, nothing is lost. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout(JSON.stringify(value, null, 2));
}
