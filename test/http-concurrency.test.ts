/**
 * Concurrent writers through the API: while a large upload fails and rolls back, every write the
 * server confirmed (201 scenarios, succeeded upload and plan jobs) must still be there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './server.js';
import { repoRoot } from './shared-data.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  s = await startTestServer({ demo: false });
});
afterAll(async () => s?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();
const upload = (name: string, content: string) => {
  const form = new FormData();
  form.append('file', new Blob([content], { type: 'text/csv' }), name);
  return fetch(`${s.url}/api/uploads`, { method: 'POST', body: form });
};

/** A FOCUS export of `rows` rows copied from the demo bill, each made distinct by its ResourceId. */
function focusCsv(rows: number, tag: string, badLast = false): string {
  const [header, ...body] = readFileSync(join(repoRoot, 'examples/demo/billing-focus.csv'), 'utf8').trim().split('\n');
  const out = [header!];
  for (let i = 0; i < rows; i++) out.push(body[i % body.length]!.replace(/,i-([0-9a-z]+),/, `,i-$1-${tag}-${i},`));
  // A bad cost on the very last row: the ingest fails only after every batch before it was written.
  if (badLast) out[out.length - 1] = out[out.length - 1]!.replace(/,Usage,(\w+),[^,]+,/, ',Usage,$1,not-a-number,');
  return out.join('\n') + '\n';
}

const planYaml = (i: number) => `name: conc-${i}\ncurrency: USD\nperiodHours: 1\nperiods: 3\ncatalogs: [builtin]\nclasses:\n  - name: inference\n    demand: [${i + 1}, 8, 2]\n    gpus: { H100: 2, A100: 1 }\n    spotShare: 0\n`;
const scenarioYaml = (i: number) => readFileSync(join(repoRoot, 'examples/lp-example.yaml'), 'utf8').replace(/^name: .*$/m, `name: conc-scenario-${i}`);

async function waitJob(id: string) {
  for (;;) {
    const job = await json(await fetch(`${s.url}/api/jobs/${id}`));
    if (job.status !== 'queued' && job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('concurrent writes', () => {
  it('keeps every confirmed write while a 50k-row upload fails and rolls back', async () => {
    const failing = await upload('bad.csv', focusCsv(50_000, 'bad', true));
    expect(failing.status).toBe(202);
    const failingJob = await json(failing);
    // Wait until its transaction is open and rows are going in.
    for (;;) {
      const j = await json(await fetch(`${s.url}/api/jobs/${failingJob.id}`));
      if (j.status === 'running' && j.progress.done > 0) break;
      expect(j.status).not.toMatch(/succeeded|failed/);
      await new Promise((r) => setTimeout(r, 5));
    }
    // Everything else arrives while the failing upload is still writing its batches.
    const [scenarios, plans, goodUpload] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, (_, i) => fetch(`${s.url}/api/scenarios`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: scenarioYaml(i) }))),
      Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${s.url}/api/plans`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: planYaml(i) }))),
      upload('good.csv', focusCsv(300, 'good')),
    ]);
    expect((await waitJob(failingJob.id)).status).toBe('failed');

    const created = [];
    for (const r of scenarios) {
      expect(r.status).toBe(201);
      created.push((await json(r)).scenarioId);
    }
    const stored = (await json(await fetch(`${s.url}/api/scenarios`))) as { id: string }[];
    for (const id of created) expect(stored.map((x) => x.id)).toContain(id);

    const planJobs = await Promise.all(plans.map(async (r) => waitJob((await json(r)).id)));
    expect(planJobs.map((j) => j.status)).toEqual(planJobs.map(() => 'succeeded'));
    for (const j of planJobs) expect((await fetch(`${s.url}/api/runs/${j.result.runId}`)).status).toBe(200);

    const good = await waitJob((await json(goodUpload)).id);
    expect(good.status).toBe('succeeded');
    const files = (await json(await fetch(`${s.url}/api/billing/files`))) as { id: string; rows: number }[] | { files: { id: string; rows: number }[] };
    const list = Array.isArray(files) ? files : files.files;
    expect(list.map((f) => f.rows)).toEqual([300]);
  }, 240_000);
});
