/** What a command needs from the outside, passed in (main.ts wires the real ones; tests fake them). */
import type { Command } from 'commander';
import type { Clock, Progress, Store } from '../../app/ports.js';

export interface CliContext {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  clock: Clock;
  /** --database as given on the command line (set before a command runs); PENNY_DATABASE_URL otherwise. */
  database?: string;
  /** Open the workspace store named by --workspace / PENNY_WORKSPACE / ./.penny (on --database when given). */
  openStore(workspace?: string): Promise<Store>;
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

/** Print a value as JSON: money values are already decimal strings, nothing is lost. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout(JSON.stringify(value, null, 2));
}
