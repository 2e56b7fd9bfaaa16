/**
 * The real public data in ../shared/data (beside the repository) is there on developers' machines
 * and in CI, not in a user's clone. Tests that read it skip, with the reason printed, when absent.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function sharedDataDir(): string | undefined {
  const dir = process.env.PENNY_SHARED_DATA ?? resolve(repoRoot, '..', 'shared', 'data');
  return existsSync(dir) ? dir : undefined;
}

/** Path of a file under shared/data, or undefined (with a printed reason) when it is absent. */
export function sharedFile(rel: string): string | undefined {
  const dir = sharedDataDir();
  const path = dir && join(dir, rel);
  if (!path || !existsSync(path)) {
    console.warn(`skipping: real data file ../shared/data/${rel} is absent (only developers' machines and CI have it)`);
    return undefined;
  }
  return path;
}
