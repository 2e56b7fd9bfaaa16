/** The `penny` command line: commander wiring, one module per command. */
import { Command, CommanderError } from 'commander';
import { globalOpts, type CliContext, type RegisterCommand } from './context.js';
import { renderError, EXIT_BAD_INPUT } from './errors.js';
import { commands } from './commands/index.js';

export const VERSION = '0.1.0';

export function buildProgram(ctx: CliContext, registry: RegisterCommand[] = commands): Command {
  const program = new Command('penny')
    .description('Penny: the full cost of AI compute, planned, watched and cut.')
    .version(VERSION, '-V, --version')
    .option('-w, --workspace <dir>', 'workspace folder holding the embedded database (default ./.penny, or $PENNY_WORKSPACE)')
    .option('--database <url>', 'a shared PostgreSQL database instead of the embedded one: postgres://user:pass@host:5432/db (or $PENNY_DATABASE_URL)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.stdout(s.replace(/\n$/, '')), writeErr: (s) => ctx.stderr(s.replace(/\n$/, '')) })
    .exitOverride();
  // The database is a root option every command's store honours: note it before the action runs.
  program.hook('preAction', (_root, action) => {
    const { database } = globalOpts(action);
    if (database !== undefined) ctx.database = database;
  });
  for (const register of registry) register(program, ctx);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/** Run the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT_BAD_INPUT;
    }
    const { text, code } = renderError(e);
    if (text) ctx.stderr(text);
    return code;
  }
}
