import type { RegisterCommand } from '../context.js';
import { globalOpts } from '../context.js';

export const registerInit: RegisterCommand = (program, ctx) => {
  program
    .command('init')
    .description('create a workspace (the embedded database) in ./.penny or --workspace DIR')
    .addHelpText('after', '\nExample:\n  penny init\n  penny --workspace /data/penny init')
    .action(async (_opts, cmd) => {
      const dir = ctx.workspaceDir(globalOpts(cmd).workspace);
      const ws = await ctx.openWorkspace(dir);
      try {
        ctx.stdout(`Workspace ready: ${dir} (${ws.driver}, schema version ${await ws.store.schemaVersion()})`);
      } finally {
        await ws.close();
      }
    });
};
