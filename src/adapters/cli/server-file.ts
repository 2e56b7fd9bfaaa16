/**
 * `<workspace>/server.json`: how the CLI finds the `penny serve` that holds a workspace. DuckDB
 * lets one process open the file, so while a server runs, CLI commands go through its API instead.
 * The file carries the token, hence mode 0600; it names its writer's pid, so one left behind by
 * a killed server is recognised as stale and ignored.
 */
import { readFileSync, rmSync } from 'node:fs';
import { chmod, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const SERVER_FILE = 'server.json';

export interface ServerInfo {
  /** Base URL, e.g. http://127.0.0.1:8000 (no trailing slash). */
  url: string;
  token: string | null;
  pid: number;
  readOnly: boolean;
  /** "duckdb" or "postgres". */
  store: string;
  startedAt: string;
}

export async function writeServerFile(workspaceDir: string, info: ServerInfo): Promise<void> {
  const path = join(workspaceDir, SERVER_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  // Created 0600 (never readable by others, even for a moment), then moved into place whole.
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(info, null, 2)}\n`);
  } finally {
    await fh.close();
  }
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** Remove the file if it is still this process's (a newer server may have replaced it). */
export async function removeServerFile(workspaceDir: string, pid = process.pid): Promise<void> {
  const path = join(workspaceDir, SERVER_FILE);
  const info = await readFile(path, 'utf8').then(parseInfo, () => undefined);
  if (info?.pid === pid) await rm(path, { force: true });
}

export function removeServerFileSync(workspaceDir: string, pid = process.pid): void {
  const path = join(workspaceDir, SERVER_FILE);
  try {
    if (parseInfo(readFileSync(path, 'utf8'))?.pid === pid) rmSync(path, { force: true });
  } catch {
    // Gone already, or unreadable: nothing of ours to remove.
  }
}

/** The server holding this workspace, when its file is there and its process alive. */
export async function liveServer(workspaceDir: string): Promise<ServerInfo | undefined> {
  const info = await readFile(join(workspaceDir, SERVER_FILE), 'utf8').then(parseInfo, () => undefined);
  if (!info || info.pid === process.pid || !alive(info.pid)) return undefined;
  return info;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: a process of another user has that pid: it is alive, but can it be ours? Be safe: yes.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseInfo(text: string): ServerInfo | undefined {
  try {
    const j = JSON.parse(text) as Partial<ServerInfo>;
    if (typeof j.url !== 'string' || typeof j.pid !== 'number') return undefined;
    return { url: j.url, token: typeof j.token === 'string' ? j.token : null, pid: j.pid, readOnly: j.readOnly === true, store: String(j.store ?? ''), startedAt: String(j.startedAt ?? '') };
  } catch {
    return undefined;
  }
}
