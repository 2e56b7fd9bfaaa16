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
function serve(args: string[], env: Record<string, string> = {}): Promise<{ out: string; url: string; log: () => string }> {
  const ws = mkdtempSync(join(tmpdir(), 'penny-serve-'));
  dirs.push(ws);
  const child = spawn(process.execPath, [pennyBin, '--workspace', ws, ...args], { cwd: repoRoot, env: { ...process.env, PENNY_TOKEN: '', ...env } });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed within 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /dashboard: (http:\/\/\S+)/.exec(out);
      if (m && /Press Ctrl-C/.test(out)) {
        clearTimeout(timer);
        resolve({ out, url: m[1]!, log: () => err });
      }
    });
    child.stderr!.on('data', (d) => {
      out += d;
      err += d;
    });
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

  it('logs requests as JSON lines without the token, and solves a plan in a worker thread', async () => {
    const { url, log } = await serve(['serve', '--port', '0', '--token', 'tok-in-the-url-7'], {});
    const base = url.replace(/\?.*$/, '');
    expect((await fetch(`${base}api/health?token=tok-in-the-url-7`)).status).toBe(200);
    const auth = { authorization: 'Bearer tok-in-the-url-7' };
    const plan = 'name: bin-plan\ncurrency: USD\nperiodHours: 1\nperiods: 3\ncatalogs: [builtin]\nclasses:\n  - name: inference\n    demand: [4, 8, 2]\n    gpus: { H100: 2, A100: 1 }\n    spotShare: 0\n';
    const job = (await (await fetch(`${base}api/plans`, { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: plan })).json()) as { id: string };
    let status = 'queued';
    for (let i = 0; i < 300 && (status === 'queued' || status === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = ((await (await fetch(`${base}api/jobs/${job.id}`, { headers: auth })).json()) as { status: string }).status;
    }
    expect(status).toBe('succeeded');
    expect((await fetch(`${base}metrics`, { headers: auth })).status).toBe(200);
    const lines = log().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { reqId?: string; req?: { url: string }; res?: { statusCode: number } });
    expect(lines.some((l) => l.req?.url === '/api/health?token=[redacted]' && l.reqId)).toBe(true);
    expect(lines.some((l) => l.res?.statusCode === 202)).toBe(true);
    expect(log()).not.toContain('tok-in-the-url-7');
  });

  it('takes PENNY_TOKEN, and refuses a bad port with exit 2', async () => {
    const { url } = await serve(['serve', '--port', '0'], { PENNY_TOKEN: 'chosen' });
    expect(url).toMatch(/\?token=chosen$/);
    const bad = spawn(process.execPath, [pennyBin, 'serve', '--port', 'eighty'], { cwd: repoRoot });
    const code = await new Promise((r) => bad.on('exit', r));
    expect(code).toBe(2);
  });
});
