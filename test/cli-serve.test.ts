/** `penny serve` as a user runs it: the built binary, its printed URL, the token off loopback. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pennyBin } from './cli.js';
import { repoRoot } from './shared-data.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  children.splice(0).forEach((c) => c.kill('SIGKILL'));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** Start the binary and wait (bounded) until it prints its dashboard URL. */
function serve(args: string[], env: Record<string, string> = {}): Promise<{ out: string; url: string }> {
  const ws = mkdtempSync(join(tmpdir(), 'penny-serve-'));
  dirs.push(ws);
  const child = spawn(process.execPath, [pennyBin, '--workspace', ws, ...args], { cwd: repoRoot, env: { ...process.env, PENNY_TOKEN: '', ...env } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed within 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /dashboard: (http:\/\/\S+)/.exec(out);
      if (m && /Press Ctrl-C/.test(out)) {
        clearTimeout(timer);
        resolve({ out, url: m[1]! });
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
}

describe('penny serve', () => {
  it('serves on loopback without a token by default and prints the URL', async () => {
    const { url } = await serve(['serve', '--port', '0']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(`${url}api/health`)).status).toBe(200);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<title>Penny<\/title>/);
  });

  it('bound off loopback, generates a token and refuses requests without it', async () => {
    const { out, url } = await serve(['serve', '--host', '0.0.0.0', '--port', '0']);
    const token = /token:\s+(\S+)/.exec(out)?.[1];
    expect(token).toBeTruthy();
    const base = new URL(url);
    const api = `http://127.0.0.1:${base.port}/api/health`;
    expect((await fetch(api)).status).toBe(401);
    expect((await fetch(api, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${base.port}/?token=${token}`)).status).toBe(200);
  });

  it('answers only to its own host names, and to those given with --allowed-host', async () => {
    const { url } = await serve(['serve', '--port', '0', '--allowed-host', 'penny.test']);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const u = new URL(url);
        request({ host: u.hostname, port: u.port, path: '/api/health', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    const port = new URL(url).port;
    expect(await status(`penny.test:${port}`)).toBe(200);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`rebound.attacker.example:${port}`)).toBe(421);
  });

  it('takes PENNY_TOKEN, and refuses a bad port with exit 2', async () => {
    const { url } = await serve(['serve', '--port', '0'], { PENNY_TOKEN: 'chosen' });
    expect(url).toMatch(/\?token=chosen$/);
    const bad = spawn(process.execPath, [pennyBin, 'serve', '--port', 'eighty'], { cwd: repoRoot });
    const code = await new Promise((r) => bad.on('exit', r));
    expect(code).toBe(2);
  });
});
