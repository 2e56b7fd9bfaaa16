/**
 * Once per `vitest run`: a scratch folder the test servers share, so the demo workspace (its build
 * solves a plan and runs simulations: about 10 s of CPU) is built once and copied into each
 * server's own folder, not rebuilt by every file that serves it (test/server.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    demoCacheDir: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'penny-demo-cache-'));
  project.provide('demoCacheDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
