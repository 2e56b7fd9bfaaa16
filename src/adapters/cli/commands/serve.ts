import { join } from 'node:path';
import { Option } from 'commander';
import { InvalidInput } from '../../../core/errors.js';
import { generateToken, isLoopback } from '../../http/security.js';
import type { CliContext, RegisterCommand } from '../context.js';
import { globalOpts } from '../context.js';
import { removeServerFile, removeServerFileSync, writeServerFile } from '../server-file.js';

export interface ServeOptions {
  host: string;
  port: number;
  readOnly?: boolean;
  token?: string;
  /** Host names besides the bound address and loopback that clients may use. */
  allowedHost?: string[];
  /** Request log level (pino's); `silent` turns the log off. */
  logLevel?: string;
}

/** Start the API and dashboard on a workspace; resolves when the server is listening. */
export async function startServer(ctx: CliContext, workspaceDir: string, o: ServeOptions) {
  // An empty PENNY_TOKEN counts as unset: it must never turn authentication off.
  const chosen = o.token || process.env.PENNY_TOKEN || undefined;
  const token = chosen ?? (isLoopback(o.host) ? undefined : generateToken());
  const ws = await ctx.openWorkspace(workspaceDir, { serving: true });
  // Request logs are on by default, as JSON lines on stderr (stdout keeps the lines above for people).
  const logger = { level: o.logLevel ?? 'info', stream: process.stderr };
  const { app } = await ctx.buildServer({ workspace: ws, workspaceDir, readOnly: o.readOnly ?? false, webRoot: join(ctx.packageRoot, 'dist', 'web'), logger, host: o.host, allowedHosts: o.allowedHost ?? [], ...(token && { token }) });
  app.addHook('onClose', async () => {
    await removeServerFile(workspaceDir);
    await ws.close();
  });
  let address: string;
  try {
    address = await app.listen({ host: o.host, port: o.port });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    // A second `npm start` (or anything else on 8000) should not stop the demo: take a free port.
    ctx.stderr(`port ${o.port} is in use; serving on a free port instead`);
    address = await app.listen({ host: o.host, port: 0 });
  }
  const shown = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '[::1]');
  // Tell CLI commands on this workspace where to send their work while this process holds it.
  // Not fatal: the server works without it, only the CLI cannot find it.
  await writeServerFile(workspaceDir, { url: shown, token: token ?? null, pid: process.pid, readOnly: o.readOnly ?? false, store: ws.driver, startedAt: ctx.clock.now().toISOString() }).catch((e: Error) =>
    ctx.stderr(`warning: could not write ${join(workspaceDir, 'server.json')} (${e.message}); CLI commands on this workspace will not find this server`),
  );
  process.once('exit', () => removeServerFileSync(workspaceDir));
  const url = token ? `${shown}/?token=${encodeURIComponent(token)}` : `${shown}/`;
  ctx.stdout(`Penny is serving ${workspaceDir}${o.readOnly ? ' (read-only)' : ''}`);
  ctx.stdout(`  dashboard: ${url}`);
  ctx.stdout(`  API:       ${shown}/api  (OpenAPI: ${shown}/openapi.json, reference: ${shown}/docs)`);
  if (token && !chosen) ctx.stdout(`  token:     ${token}  (generated; set PENNY_TOKEN to choose one)`);
  ctx.stdout('Press Ctrl-C to stop.');
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { app, url, token };
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidInput(`--port must be an integer from 0 to 65535, found ${JSON.stringify(v)}`, [{ path: '--port', message: 'not a port number' }]);
  return n;
}

export const registerServe: RegisterCommand = (program, ctx) => {
  program
    .command('serve')
    .description('serve the HTTP API and the web dashboard on the workspace')
    .addOption(new Option('--port <port>', 'TCP port (0 picks a free one)').default(8000).argParser(parsePort))
    .option('--host <host>', 'address to bind; anything but loopback requires a token', '127.0.0.1')
    .option('--read-only', 'refuse every request that would change the workspace')
    .option('--token <token>', 'require this token (default: $PENNY_TOKEN; generated when bound off loopback)')
    .option('--allowed-host <name...>', 'also answer to this Host name (a DNS name or proxy in front of the server); others get 421')
    .addOption(new Option('--log-level <level>', 'request log level (JSON lines on stderr)').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .addHelpText('after', '\nExamples:\n  penny serve\n  penny serve --host 0.0.0.0 --port 9000 --read-only\n  PENNY_TOKEN=s3cret penny serve --host 0.0.0.0')
    .action(async (opts: ServeOptions, cmd) => {
      await startServer(ctx, ctx.workspaceDir(globalOpts(cmd).workspace), opts);
    });
};
