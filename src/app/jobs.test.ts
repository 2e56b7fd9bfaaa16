import { describe, expect, it } from 'vitest';
import { JobRunner } from './jobs.js';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
const runner = () => new JobRunner(clock, (e) => ({ title: 'x', status: 500, detail: String(e) }));
const gate = () => {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
};
const tick = () => new Promise((r) => setImmediate(r));

describe('JobRunner', () => {
  it('cancels cancellable work: aborted, marked cancelled, its late result dropped', async () => {
    const jobs = runner();
    const g = gate();
    let aborted = false;
    const job = jobs.submit('plan', async (_p, ctl) => {
      ctl.signal.addEventListener('abort', () => (aborted = true));
      ctl.started();
      await g.p;
      return 'late';
    }, { queued: true, cancellable: true });
    await tick();
    expect(job.status).toBe('running');
    expect(jobs.counts()).toMatchObject({ running: 1, queued: 0 });
    expect(jobs.cancel(job.id)).toBe('cancelled');
    expect(aborted).toBe(true);
    g.open();
    await tick();
    expect(job.status).toBe('cancelled');
    expect(job.result).toBeUndefined();
    expect(jobs.cancel(job.id)).toBe('finished');
    expect(jobs.counts()).toMatchObject({ running: 0, cancelled: 1, succeeded: 0 });
  });

  it('refuses to cancel work that cannot stop (it would commit anyway)', async () => {
    const jobs = runner();
    const g = gate();
    const job = jobs.submit('ingest:focus', async () => {
      await g.p;
      return 'ok';
    });
    await tick();
    expect(jobs.cancel(job.id)).toBe('not-cancellable');
    g.open();
    expect((await jobs.wait(job.id)).status).toBe('succeeded');
    expect(jobs.counts()).toMatchObject({ succeeded: 1 });
  });

  it('keeps a queued job queued until its work starts', async () => {
    const jobs = runner();
    const g = gate();
    const job = jobs.submit('sim', async (_p, ctl) => {
      await g.p;
      ctl.started();
      return 1;
    }, { queued: true, cancellable: true });
    await tick();
    expect(job.status).toBe('queued');
    g.open();
    expect((await jobs.wait(job.id)).status).toBe('succeeded');
  });
});
