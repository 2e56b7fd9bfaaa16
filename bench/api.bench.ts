/**
 * `npm run bench api`: the server under a team's load, on the demo workspace. 200 concurrent reads
 * (bill by tag, budget status, GPU usage, runs, reports), then 20 plan jobs submitted at once (the
 * demo's 48-period plan, each with its demand scaled so none is a repeat) while 200 more reads
 * arrive and /api/health is polled back to back. Reports errors, latency percentiles (health
 * during the jobs; reads alone and during the jobs), job wall time and peak RSS (the process,
 * worker threads included). Then a large ingest: a FOCUS export of 67,200 rows (18 MB) uploaded
 * while /api/health is polled back to back (health during the ingest, its wall time, rows/s).
 * One JSON object on the last line.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../test/shared-data.js';

const READS = 200;
const PLANS = 20;

// The server runs in its own process, as it would for a team: the load generator's own work
// must not sit on the event loop being measured.
if (process.argv[2] === 'serve') {
  const { startTestServer } = await import('../test/server.js');
  const s = await startTestServer();
  console.log(JSON.stringify({ url: s.url }));
  process.on('SIGTERM', async () => {
    await s.close();
    process.exit(0);
  });
} else {
  await main();
}

async function main() {
const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l).url));
  child.once('exit', (c) => reject(new Error(`server exited with ${c}`)));
});
/** The server process's peak resident memory (worker threads included), from /proc. */
const peakRssMiB = () => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
};
const waitJob = async (id: string) => {
  for (;;) {
    const j = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as { status: string; error?: { detail: string } };
    if (j.status !== 'queued' && j.status !== 'running') return j;
    await new Promise((r) => setTimeout(r, 200));
  }
};

const readPaths = [
  '/api/billing/report?by=tag:team&granularity=day',
  '/api/billing/report?by=ServiceName',
  '/api/budgets/status',
  '/api/gpus/usage?interval=1h',
  '/api/gpus/waste',
  '/api/runs',
  '/api/scenarios',
  '/api/reports/latest',
  '/api/billing/files',
];

interface Timed {
  ms: number;
  ok: boolean;
}

async function timed(path: string, init?: RequestInit): Promise<Timed> {
  const t = performance.now();
  try {
    const res = await fetch(`${url}${path}`, init);
    await res.arrayBuffer();
    return { ms: performance.now() - t, ok: res.ok };
  } catch {
    return { ms: performance.now() - t, ok: false };
  }
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return null;
  const a = [...xs].sort((x, y) => x - y);
  return Math.round(a[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)]! * 10) / 10;
};
const summary = (xs: Timed[]) => ({ n: xs.length, errors: xs.filter((x) => !x.ok).length, p50Ms: pct(xs.map((x) => x.ms), 50), p99Ms: pct(xs.map((x) => x.ms), 99), maxMs: pct(xs.map((x) => x.ms), 100) });

const reads = () => Promise.all(Array.from({ length: READS }, (_, i) => timed(readPaths[i % readPaths.length]!)));

// The demo plan with its demand inline (the API reads no files), scaled per job.
const demoPlan = readFileSync(join(repoRoot, 'examples/demo/plan.yaml'), 'utf8');
const [header, ...rows] = readFileSync(join(repoRoot, 'examples/demo/plan-demand.csv'), 'utf8').trim().split('\n');
const cols = header!.split(',');
const column = (name: string, scale: number) => `[${rows.map((r) => Math.round(Number(r.split(',')[cols.indexOf(name)]) * scale)).join(', ')}]`;
const planText = (i: number) => {
  const scale = 1 + i / 100;
  return demoPlan
    .replace(/^name: .*$/m, `name: bench-${i}`)
    .replace(/demand: \{ csv: plan-demand\.csv, column: (\w+) \}/g, (_, c: string) => `demand: ${column(c, scale)}`);
};

const readsAlone = await reads();

/** Event-loop delay as the server measures it (prom-client's monitor; each scrape starts a new window). */
const loopLag = async () => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const get = (name: string) => {
    const m = new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text);
    return m ? Math.round(Number(m[1]) * 1e4) / 10 : null;
  };
  return { p50Ms: get('nodejs_eventloop_lag_p50_seconds'), p99Ms: get('nodejs_eventloop_lag_p99_seconds'), maxMs: get('nodejs_eventloop_lag_max_seconds') };
};
await loopLag();
const t0 = performance.now();
const submitted = await Promise.all(Array.from({ length: PLANS }, (_, i) => fetch(`${url}/api/plans`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: planText(i) })));
const submitErrors = submitted.filter((r) => r.status !== 202).length;
const ids = ((await Promise.all(submitted.map((r) => r.json()))) as { id: string }[]).map((j) => j.id);
let finished = false;
const all = Promise.all(ids.map((id) => waitJob(id))).then((jobs) => {
  finished = true;
  return jobs;
});
// Health is polled back to back: first while the reads are also in flight, then with the jobs alone.
let phase: 'reads' | 'jobs' = 'reads';
const health = { reads: [] as Timed[], jobs: [] as Timed[] };
const polling = (async () => {
  while (!finished) health[phase].push(await timed('/api/health'));
})();
const readsDuring = await reads();
phase = 'jobs';
const jobs = await all;
const lagDuringJobs = await loopLag();
const jobsS = (performance.now() - t0) / 1000;
await polling;
const succeeded = jobs.filter((j) => j.status === 'succeeded').length;
const failures = jobs.filter((j) => j.status !== 'succeeded').map((j) => j.error?.detail ?? j.status);

// A large upload: the parse runs on a reading thread, the rows go to DuckDB by COPY.
const { demoBill, focusCsv } = await import('../test/fixtures/focus.js');
const COPIES = 100;
let billCsv = '';
let billRows = 0;
for (let k = 0; k < COPIES; k++) {
  const lines = demoBill({ from: '2026-06-01', days: 96, seed: 1000 + k }).map((l) => ({ ...l, resource: `${l.resource}-bench-${k}` }));
  const csv = focusCsv(lines);
  billRows += lines.length;
  billCsv += k === 0 ? csv : csv.slice(csv.indexOf('\n') + 1);
}
await loopLag();
const healthIngest: Timed[] = [];
let ingesting = true;
const ti = performance.now();
const form = new FormData();
form.append('file', new Blob([billCsv]), 'bench-bill.csv');
const pollingIngest = (async () => {
  while (ingesting) healthIngest.push(await timed('/api/health'));
})();
const upload = await fetch(`${url}/api/uploads`, { method: 'POST', body: form });
const uploadJob = upload.status === 202 ? await waitJob(((await upload.json()) as { id: string }).id) : { status: `upload refused (${upload.status})` };
const ingestS = (performance.now() - ti) / 1000;
ingesting = false;
await pollingIngest;
const lagDuringIngest = await loopLag();
const healthDuringIngest = summary(healthIngest);

const rss = peakRssMiB();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
const healthJobs = summary(health.jobs);
console.log(
  JSON.stringify({
    workers: (await import('../src/adapters/jobs/pool.js')).defaultPoolSize(),
    reads: { alone: summary(readsAlone), duringJobs: summary(readsDuring) },
    plans: { submitted: PLANS, submitErrors, succeeded, failures: failures.slice(0, 3), wallS: Math.round(jobsS * 10) / 10 },
    health: { duringJobsAndReads: summary(health.reads), duringJobs: healthJobs },
    eventLoopDelayDuringJobs: lagDuringJobs,
    healthP99Under50Ms: healthJobs.p99Ms !== null && healthJobs.p99Ms < 50,
    ingest: { rows: billRows, fileMiB: Math.round(billCsv.length / 1048576), status: uploadJob.status, wallS: Math.round(ingestS * 10) / 10, rowsPerS: Math.round(billRows / ingestS), health: healthDuringIngest, eventLoopDelay: lagDuringIngest, healthP99Under50Ms: healthDuringIngest.p99Ms !== null && healthDuringIngest.p99Ms < 50 },
    peakRssMiB: rss,
  }),
);
}
