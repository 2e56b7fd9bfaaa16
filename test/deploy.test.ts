/**
 * deploy/: checked as far as this machine allows (no container engine or cluster here; see
 * docs/deploy.md). The Kubernetes manifests are validated against the Kubernetes API schemas
 * (kubernetes-models), the Prometheus config by Prometheus's own promtool, the Dockerfile's and
 * compose file's references against the repository, and the container's start script is run as a
 * plain process against a real PostgreSQL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, postgresUnavailable, startPostgres, type TestPostgres } from './postgres.js';
import { repoRoot } from './shared-data.js';

const deploy = join(repoRoot, 'deploy');

describe('Kubernetes manifests', () => {
  const files = readdirSync(join(deploy, 'k8s')).filter((f) => f.endsWith('.yaml'));

  it('are valid objects of the Kubernetes API (schema validation per kind)', async () => {
    expect(files.sort()).toEqual(['deployment.yaml', 'secret.yaml', 'service.yaml']);
    for (const f of files) {
      for (const doc of YAML.parseAllDocuments(readFileSync(join(deploy, 'k8s', f), 'utf8'))) {
        const obj = doc.toJS() as { apiVersion: string; kind: string };
        const mod = (await import(`kubernetes-models/${obj.apiVersion}/${obj.kind}`)) as Record<string, new (o: unknown) => { validate(): void }>;
        expect(() => new mod[obj.kind]!(obj).validate(), `${f}: ${obj.kind}`).not.toThrow();
      }
    }
  });

  it('the validator is not a rubber stamp: a broken Deployment is refused', async () => {
    const { Deployment } = await import('kubernetes-models/apps/v1/Deployment');
    const obj = YAML.parse(readFileSync(join(deploy, 'k8s', 'deployment.yaml'), 'utf8'));
    obj.spec.template.spec.containers[0].ports[0].containerPort = 'eight thousand';
    expect(() => new Deployment(obj).validate()).toThrow(/containerPort/);
  });

  it('wire the Secret, the Service and the Deployment together', () => {
    const load = (f: string) => YAML.parse(readFileSync(join(deploy, 'k8s', f), 'utf8'));
    const [dep, svc, sec] = [load('deployment.yaml'), load('service.yaml'), load('secret.yaml')];
    const c = dep.spec.template.spec.containers[0];
    const keys = c.env.filter((e: { valueFrom?: unknown }) => e.valueFrom).map((e: { valueFrom: { secretKeyRef: { name: string; key: string } } }) => e.valueFrom.secretKeyRef);
    for (const k of keys) {
      expect(k.name).toBe(sec.metadata.name);
      expect(Object.keys(sec.stringData)).toContain(k.key);
    }
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
    expect(c.ports.map((p: { name: string }) => p.name)).toContain(svc.spec.ports[0].targetPort);
  });
});

describe('container image and compose file', () => {
  it('the Dockerfile copies only what exists and starts the start script', () => {
    const text = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
    for (const m of text.matchAll(/^COPY (?!--from)(.+)$/gm)) {
      const parts = m[1]!.trim().split(/\s+/);
      for (const src of parts.slice(0, -1)) expect(existsSync(join(repoRoot, src)), `COPY ${src}`).toBe(true);
    }
    expect(text).toMatch(/RUN npm run build/);
    expect(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts.build).toBeDefined();
    const entry = /ENTRYPOINT \["([^"]+)"\]/.exec(text)![1]!;
    expect(entry).toBe('/app/deploy/start.sh');
    accessSync(join(deploy, 'start.sh'), constants.X_OK);
  });

  it('compose runs Penny on PostgreSQL with Prometheus scraping it, every mounted file present', () => {
    const c = YAML.parse(readFileSync(join(deploy, 'compose.yaml'), 'utf8'));
    expect(Object.keys(c.services).sort()).toEqual(['penny', 'postgres', 'prometheus']);
    expect(c.services.penny.environment.PENNY_DATABASE_URL).toMatch(/^postgres:\/\/penny:.*@postgres:5432\/penny$/);
    expect(existsSync(join(deploy, c.services.penny.build.context, c.services.penny.build.dockerfile))).toBe(true);
    const mounted = c.services.prometheus.volumes.map((v: string) => v.split(':')[0]!).filter((p: string) => p.startsWith('./'));
    for (const p of mounted) if (!p.endsWith('token.txt')) expect(existsSync(join(deploy, p)), p).toBe(true);
    // The scrape target's host name must be one the server answers to (its Host check).
    expect(c.services.penny.environment.PENNY_ALLOWED_HOSTS.split(' ')).toContain('penny');
  });

  const promtool = spawnSync('promtool', ['--version']).status === 0;
  it.skipIf(!promtool)('Prometheus accepts the scrape config (promtool check config)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'penny-prom-'));
    try {
      writeFileSync(join(dir, 'penny-token'), 'tok\n');
      const cfg = readFileSync(join(deploy, 'prometheus.yml'), 'utf8').replace('/etc/prometheus/penny-token', join(dir, 'penny-token'));
      writeFileSync(join(dir, 'prometheus.yml'), cfg);
      const r = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  if (!promtool) console.warn('skipping: promtool (Debian package prometheus) is not installed');
});


const pgMissing = postgresUnavailable();
describe.skipIf(pgMissing)('the container start script, as a plain process, on a real PostgreSQL', () => {
  let pg: TestPostgres;
  let ws: string;
  beforeAll(async () => {
    pg = await startPostgres();
    ws = mkdtempSync(join(tmpdir(), 'penny-deploy-'));
  }, 180_000);
  afterAll(async () => {
    await pg?.stop();
    rmSync(ws, { recursive: true, force: true });
  });

  it('refuses to start without a token', () => {
    const r = spawnSync('sh', [join(deploy, 'start.sh')], { encoding: 'utf8', env: { PATH: process.env.PATH!, PENNY_DATABASE_URL: pg.url } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/PENNY_TOKEN/);
  });

  it('waits for the database, migrates it, and serves the API with the token', async () => {
    const port = await freePort();
    const token = 'deploy-test-token-0123456789';
    const child = spawn('sh', [join(deploy, 'start.sh')], {
      env: { PATH: process.env.PATH!, PENNY_DATABASE_URL: pg.url, PENNY_TOKEN: token, PORT: String(port), PENNY_WORKSPACE: ws, PENNY_ALLOWED_HOSTS: 'penny', PENNY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const auth = { authorization: `Bearer ${token}` };
      let health: Response | undefined;
      for (let i = 0; i < 600 && !health && child.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
        health = await fetch(`http://127.0.0.1:${port}/api/health`, { headers: auth }).catch(() => undefined);
      }
      expect(health?.status, out).toBe(200);
      expect(JSON.stringify(await health!.json())).toMatch(/postgres/);
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(401);
      // Listening on every interface: the name a proxy or the Service uses is accepted, others not.
      const viaName = await fetch(`http://127.0.0.1:${port}/api/health`, { headers: { ...auth, host: `penny:${port}` } });
      expect(viaName.status).toBe(200);
      const posted = await fetch(`http://127.0.0.1:${port}/api/scenarios`, { method: 'POST', headers: { ...auth, 'content-type': 'application/yaml' }, body: readFileSync(join(repoRoot, 'examples', 'lp-example.yaml'), 'utf8') });
      expect(posted.status, await posted.clone().text()).toBe(201);
      // The data is in PostgreSQL, not in the workspace folder.
      expect(existsSync(join(ws, 'penny.duckdb'))).toBe(false);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 120_000);
});
if (pgMissing) console.warn(`skipping the start-script test: ${pgMissing}`);
