import { loadScenario } from '../../importers/scenario.js';
import type { RegisterCommand } from '../context.js';
import { printJson } from '../context.js';

export const registerValidate: RegisterCommand = (program, ctx) => {
  program
    .command('validate')
    .description('check a scenario file and report every problem with its line and field')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  penny validate examples/energy-example.yaml')
    .action(async (file: string, opts: { json?: boolean }) => {
      const s = await loadScenario(file);
      if (opts.json) printJson(ctx, { valid: true, file, name: s.name, currency: s.currency, resources: s.resources.length });
      else ctx.stdout(`${file}: valid scenario "${s.name}" (${s.resources.length} resource${s.resources.length === 1 ? '' : 's'}, ${s.currency})`);
    });
};
