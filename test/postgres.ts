/**
 * A real PostgreSQL for tests, never a mock: PENNY_TEST_POSTGRES_URL when set, otherwise a
 * throwaway cluster (initdb into a temp folder, started on a free port, removed afterwards) from
 * the installed binaries (Debian's `postgresql` package: /usr/lib/postgresql/<v>/bin).
 * PostgreSQL refuses to run as root, so as root its binaries run as the `postgres` user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/** The bin folder of the newest installed PostgreSQL, or undefined. */
export function postgresBinDir(): string | undefined {
  // Named, it is the only place looked at (so a wrong one says so rather than using another).
  const named = process.env.PENNY_TEST_POSTGRES_BIN;
  if (named) return existsSync(join(named, 'initdb')) ? named : undefined;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && existsSync(join(dir, 'initdb')) ? dir : undefined;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (process.env.PENNY_TEST_POSTGRES_URL) return undefined;
  if (!postgresBinDir()) return `PostgreSQL binaries not found${process.env.PENNY_TEST_POSTGRES_BIN ? ` in PENNY_TEST_POSTGRES_BIN=${process.env.PENNY_TEST_POSTGRES_BIN}` : ''} (install Debian's postgresql package, or set PENNY_TEST_POSTGRES_URL)`;
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return 'running as root and there is no postgres user to run PostgreSQL as';
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  if (process.env.PENNY_TEST_POSTGRES_URL) return { url: process.env.PENNY_TEST_POSTGRES_URL, stop: async () => undefined };
  const bin = postgresBinDir();
  if (!bin) throw new Error(postgresUnavailable());
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'penny-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const pgRun = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${tool} failed (${r.status}): ${r.stderr || r.stdout}${existsSync(join(dir, 'log')) ? `\n${readFileSync(join(dir, 'log'), 'utf8')}` : ''}`);
  };
  const data = join(dir, 'data');
  // Text sorts as on a real server (the postgres image's en_US.utf8, or ICU's en-US here: "ml"
  // before "Research", "_" ignored), not byte by byte as --locale=C would: DuckDB sorts bytes, and
  // the stores must give the same order on both.
  const base = ['-D', data, '-U', 'penny', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'];
  try {
    pgRun('initdb', [...base, '--locale-provider=icu', '--icu-locale=en-US']);
  } catch {
    // A PostgreSQL built without ICU: byte order it is (the ordering tests then prove less).
    rmSync(data, { recursive: true, force: true });
    pgRun('initdb', base);
  }
  const port = await freePort();
  // fsync off: a throwaway cluster need not survive a power cut, and the tests run much faster.
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  pgRun('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '120', 'start']);
  return {
    url: `postgres://penny@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

let n = 0;
/** A fresh schema name per store opened, so tests sharing one database never see each other's rows. */
export function freshSchema(prefix = 't'): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${n++}`;
}
