/**
 * Jobs off the event loop: plans run in a worker thread, so the server answers while one solves;
 * a job waits in the queue for a free thread; a running job can be cancelled (its thread is
 * stopped) and the queue moves on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from './server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  // One thread, so the second job has to wait for the first.
  s = await startTestServer({ demo: false, workers: 1 });
});
afterAll(async () => s?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();
const postPlan = (body: string) => fetch(`${s.url}/api/plans`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body });

/** A 48-period, four-class plan: seconds of HiGHS work (dozens of solves). */
function longPlan(): string {
  const periods = 48;
  const demand = (k: number) => Array.from({ length: periods }, (_, i) => 3 + ((i * 7 + k * 5) % 11)).join(', ');
  const classes = [0, 1, 2, 3].map((k) => `  - name: c${k}\n    demand: [${demand(k)}]\n    gpus: { H100: ${1 + (k % 2)}, A100: ${2 + (k % 3)}, L40S: 4 }\n    spotShare: 0\n`);
  return `name: long\ncurrency: USD\nperiodHours: 1\nperiods: ${periods}\ncatalogs: [builtin]\nclasses:\n${classes.join('')}`;
}
const smallPlan = 'name: small\ncurrency: USD\nperiodHours: 1\nperiods: 3\ncatalogs: [builtin]\nclasses:\n  - name: inference\n    demand: [4, 8, 2]\n    gpus: { H100: 2, A100: 1 }\n    spotShare: 0\n';

describe('jobs in worker threads', () => {
  it('queues, streams progress, stays responsive, cancels, and moves on', async () => {
    const long = await json(await postPlan(longPlan()));
    const small = await json(await postPlan(smallPlan));
    expect(long.status).toBe('queued');
    // The event stream opens at once: its first event is progress, not the result.
    const events = await fetch(`${s.url}/api/jobs/${long.id}/events`);
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: progress/);
    await reader.cancel();

    for (;;) {
      const j = await json(await fetch(`${s.url}/api/jobs/${long.id}`));
      expect(j.status).not.toMatch(/succeeded|failed/);
      if (j.status === 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // The only thread is busy, so the small plan waits.
    expect((await json(await fetch(`${s.url}/api/jobs/${small.id}`))).status).toBe('queued');
    // The event loop is free while the thread solves.
    const worst = await (async () => {
      let max = 0;
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
        max = Math.max(max, performance.now() - t);
      }
      return max;
    })();
    expect(worst).toBeLessThan(1000);

    const cancelled = await fetch(`${s.url}/api/jobs/${long.id}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    expect((await json(cancelled)).status).toBe('cancelled');
    expect((await fetch(`${s.url}/api/jobs/${long.id}`, { method: 'DELETE' })).status).toBe(409);
    expect((await fetch(`${s.url}/api/jobs/job_nope`, { method: 'DELETE' })).status).toBe(404);

    const done = await s.jobs.wait(small.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect((await json(await fetch(`${s.url}/api/jobs/${long.id}`))).status).toBe('cancelled');
    // Nothing of the cancelled plan was recorded.
    const runs = (await json(await fetch(`${s.url}/api/runs?kind=plan`))) as { name: string }[];
    expect(runs.map((r) => r.name)).toEqual(['small']);
  }, 120_000);
});
