#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts (or one named on the command line) in its own
// process and prints one JSON object per benchmark, as a JSON array. Kept out of `npm test`:
// timings inside unit tests are flaky on shared machines.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
const results = [];
for (const f of files) {
  process.stderr.write(`bench: ${f}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, f)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    results.push({ bench: f.replace(/\.bench\.ts$/, ''), ...JSON.parse(last) });
  } catch {
    results.push({ bench: f.replace(/\.bench\.ts$/, ''), error: `exit ${r.status}; no JSON on the last line of stdout` });
  }
}
console.log(JSON.stringify(results, null, 2));
