/**
 * The dependency rule (docs/architecture.md): core ← app ← adapters ← main, and adapters do not
 * import one another's entry points: the HTTP API and the job threads take their JSON shapes from
 * app/, never from the CLI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '.');
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
}
const importsOf = (f: string) => [...readFileSync(f, 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1]!);

describe('layers', () => {
  it('keeps the HTTP adapter and the job threads off the CLI', () => {
    const bad = [...files(join(root, 'adapters/http')), ...files(join(root, 'adapters/jobs'))].flatMap((f) => importsOf(f).filter((i) => /\/cli\//.test(i)).map((i) => `${relative(root, f)} imports ${i}`));
    expect(bad).toEqual([]);
  });

  it('keeps app/ and core/ free of adapters', () => {
    const bad = [...files(join(root, 'app')), ...files(join(root, 'core'))].flatMap((f) => importsOf(f).filter((i) => /\/adapters\//.test(i)).map((i) => `${relative(root, f)} imports ${i}`));
    expect(bad).toEqual([]);
  });

  it('builds stores, solvers and the server in one place (main.ts), never in the CLI or the HTTP routes', () => {
    const bad = [...files(join(root, 'adapters/cli')), ...files(join(root, 'adapters/http'))].flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      const found = [...text.matchAll(/new (Sql\w*Store|SqlWorkspace|HighsSolver|DuckDbSession|PostgresSession)\b/g)].map((m) => m[0]);
      // Type-only imports are fine; a value import of these would let the adapter build its own.
      const imports = [...text.matchAll(/^import (?!type)[^;]*from '([^']*(?:http\/server|store\/(?:workspace|sql-[\w-]+|duckdb|postgres)|solver\/highs)\.js)'/gm)].map((m) => `imports ${m[1]}`);
      return [...found, ...imports].map((x) => `${relative(root, f)}: ${x}`);
    });
    expect(bad).toEqual([]);
  });
});
