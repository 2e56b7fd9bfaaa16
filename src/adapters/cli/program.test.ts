import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commands } from './commands/index.js';
import { buildProgram, invokedCommands } from './program.js';
import type { CliContext } from './context.js';

const ctx = { stdout: () => undefined, stderr: () => undefined } as unknown as CliContext;

describe('lazy commands', () => {
  it('lists each command in the top-level help exactly as its own registration does', async () => {
    const lazy = await buildProgram(ctx, []);
    const full = await buildProgram(ctx, [], commands, true);
    const show = (p: Command) => p.helpInformation();
    expect(show(lazy)).toBe(show(full));
    for (const entry of commands) {
      const real = full.commands.find((c) => c.name() === entry.name)!;
      expect(real.description()).toBe(entry.description);
      expect(full.createHelp().subcommandTerm(real)).toBe(entry.term);
    }
  });

  it('loads only the command the arguments name', () => {
    const names = commands.map((c) => c.name);
    expect(invokedCommands(['--version'], names)).toEqual([]);
    expect(invokedCommands(['--help'], names)).toEqual([]);
    expect(invokedCommands(['-w', 'plan', 'cost', 'x.yaml'], names)).toEqual(['cost']);
    expect(invokedCommands(['--workspace', 'gpu', 'report', '--by', 'x'], names)).toEqual(['report']);
    expect(invokedCommands(['help', 'gpu'], names)).toEqual(['gpu']);
    expect(invokedCommands(['nonsense'], names)).toEqual([]);
  });
});
