/** Where the workspace is: apart from workspace.ts so naming it loads no database driver. */
import { resolve } from 'node:path';

export const DEFAULT_WORKSPACE = '.penny';

export function resolveWorkspace(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.PENNY_WORKSPACE ?? DEFAULT_WORKSPACE);
}
