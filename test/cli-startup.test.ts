/** Start-up and packaging: lazy commands, a closed pipe, what `npm pack` ships. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pennyBin, runPenny } from './cli.js';
import { repoRoot } from './shared-data.js';

/** CPU seconds the binary spends after Node has started, for `args` (load + run, not Node's boot). */
function cpuAfterBoot(args: string[]): number {
  const script = `const t = process.cpuUsage(); process.argv = [process.argv[0], ${JSON.stringify(pennyBin)}, ...${JSON.stringify(args)}];
process.on('exit', () => { const u = process.cpuUsage(t); process.stderr.write('CPU ' + (u.user + u.system) / 1e6 + '\\n'); });
await import(${JSON.stringify(pathToFileURL(pennyBin).href)});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  return Number(/CPU ([\d.]+)/.exec(r.stderr)?.[1]);
}

describe('start-up', () => {
  it('prints the version and the help without loading any command', async () => {
    const v = await runPenny(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe('0.1.0');
    const h = await runPenny(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['demo', 'init', 'validate [options] <scenario>', 'cost [options] <scenario>', 'plan [options] <scenario>', 'gpu', 'serve [options]']) expect(h.stdout).toContain(`  ${c} `);
    // Loading every command (database driver, solver, server) took about 0.6 s of CPU; these load none.
    expect(Math.min(cpuAfterBoot(['--version']), cpuAfterBoot(['--version']))).toBeLessThan(0.3);
    expect(Math.min(cpuAfterBoot(['--help']), cpuAfterBoot(['--help']))).toBeLessThan(0.3);
  });

  it("loads a command for its own help and runs it", async () => {
    const plan = await runPenny(['plan', '--help']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/--time-limit|--gap|--save/);
    const viaHelp = await runPenny(['help', 'gpu']);
    expect(viaHelp.stdout).toMatch(/ingest/);
    const bad = await runPenny(['nonsense']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command/);
  });

  it('leaves quietly when the reader closes the pipe (penny catalog | head -1)', async () => {
    const child = spawn(process.execPath, [pennyBin, 'catalog', '--json'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => child.on('close', r));
    // stderr may carry the catalog's price-age warning; never an EPIPE or a stack trace.
    expect(err).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
    const viaShell = execFileSync('/bin/sh', ['-c', `"${process.execPath}" "${pennyBin}" catalog | head -1; echo "exit $?"`], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(viaShell.trim().split('\n')).toHaveLength(2);
  });
});

describe('packaging', () => {
  it('ships dist/, README, LICENSE and package.json only', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { files: { path: string }[] }[];
    const paths = pack!.files.map((f) => f.path);
    expect(paths).toContain('dist/main.js');
    expect(paths).toContain('dist/adapters/jobs/worker.js');
    expect(paths).toContain('dist/web/index.html');
    expect(paths).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
    const other = paths.filter((p) => !p.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(p));
    expect(other).toEqual([]);
    expect(paths.filter((p) => /\.test\.|\.map$|\.ts$/.test(p) && !p.endsWith('.d.ts'))).toEqual([]);
  });

  it('declares a Node version every dependency supports', async () => {
    const { readFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const semver = createRequire(import.meta.url)('semver') as { minVersion(r: string): { version: string } | null; satisfies(v: string, r: string): boolean };
    const pkg = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { engines: { node: string } };
    const lowest = semver.minVersion(pkg.engines.node)!.version;
    const lock = JSON.parse(readFileSync(`${repoRoot}/package-lock.json`, 'utf8')) as { packages: Record<string, { engines?: { node?: string }; dev?: boolean; optional?: boolean }> };
    const refuse = Object.entries(lock.packages).filter(([p, v]) => p && !v.dev && v.engines?.node && !semver.satisfies(lowest, v.engines.node)).map(([p, v]) => `${p} wants node ${v.engines!.node}`);
    expect(refuse).toEqual([]);
  });
});
