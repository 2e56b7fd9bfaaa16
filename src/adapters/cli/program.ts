/** The `penny` command line: commander wiring, one module per command. */
import { Command, CommanderError } from 'commander';
import { globalOpts, type CliContext } from './context.js';
import { renderError, EXIT_BAD_INPUT } from './errors.js';
import { commands, type CommandEntry } from './commands/index.js';
import { VERSION } from '../../app/version.js';

export { VERSION };

/** The commands `argv` runs or asks help for: `penny -w D plan x` → plan; `penny help gpu` → gpu. */
export function invokedCommands(argv: string[], names: string[]): string[] {
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '-w' || a === '--workspace' || a === '--database') {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    positional.push(a);
    if (positional.length === 2) break;
  }
  const [first, second] = positional;
  if (first === 'help' && second !== undefined) return names.includes(second) ? [second] : [];
  return first !== undefined && names.includes(first) ? [first] : [];
}

/**
 * The program with the invoked command loaded and registered in full; every other command is a
 * light entry (name, term, description) so the top-level help still lists it.
 */
export async function buildProgram(ctx: CliContext, argv: string[], registry: CommandEntry[] = commands, loadAll = false): Promise<Command> {
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
  const wanted = new Set(loadAll ? registry.map((c) => c.name) : invokedCommands(argv, registry.map((c) => c.name)));
  const terms = new Map<Command, string>();
  for (const entry of registry) {
    if (wanted.has(entry.name)) (await entry.load())(program, ctx);
    else terms.set(program.command(entry.name).description(entry.description), entry.term);
  }
  const help = program.createHelp();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd) ?? help.subcommandTerm(cmd) });
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

/** Run the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  let program: Command;
  try {
    program = await buildProgram(ctx, argv);
  } catch (e) {
    const { text, code } = renderError(e);
    if (text) ctx.stderr(text);
    return code;
  }
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
